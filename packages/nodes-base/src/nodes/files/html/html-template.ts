/** n8n's default template for the HTML node's "Generate HTML Template" operation. */
export const DEFAULT_HTML_TEMPLATE = `<!DOCTYPE html>

<html>
<head>
  <meta charset="UTF-8" />
  <title>Document</title>
</head>
<body>
  <div class="container">
    <h1>This is a Heading</h1>
    <p>This is a paragraph.</p>
    <div>Some more content!</div>
  </div>
</body>
</html>

<style>
.container {
  background-color: lightblue;
  text-align: center;
  padding: 16px;
  border-radius: 10px;
}

h1 {
  color: purple;
  font-size: 24px;
  font-weight: bold;
  padding: 8px;
}
</style>

<script>
console.log("Hello World!");
</script>`;

/** The `{{ ... }}` parts of a template, in order. */
export function templateResolvables(html: string): string[] {
  return html ? [...html.matchAll(/{{[\s\S]*?}}/g)].map((match) => match[0]) : [];
}
