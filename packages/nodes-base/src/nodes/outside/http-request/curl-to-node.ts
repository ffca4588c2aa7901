import type { JsonObject } from '@budflow/node-sdk';

/** Splits a shell command line into words: quotes, backslash escapes and line continuations. */
export function splitShellWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const text = command.replace(/\\\r?\n/g, ' ');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!))
        current += text[++i];
      else current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '$' && text[i + 1] === "'") {
      // $'...' (ANSI-C quoting): the common escapes only.
      let j = i + 2;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const e = text[++j]!;
          current += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        } else current += text[j];
      }
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new Error('unterminated quote in the cURL command');
  if (inWord) words.push(current);
  return words;
}

const VALUE_FLAGS = new Set([
  '-X',
  '--request',
  '-H',
  '--header',
  '-d',
  '--data',
  '--data-raw',
  '--data-ascii',
  '--data-binary',
  '--data-urlencode',
  '-F',
  '--form',
  '--form-string',
  '-u',
  '--user',
  '--url',
  '-x',
  '--proxy',
  '-m',
  '--max-time',
  '-A',
  '--user-agent',
  '-b',
  '--cookie',
  '-e',
  '--referer',
  '--json',
  '--connect-timeout',
  '-o',
  '--output',
  '--max-redirs',
]);

export interface CurlImport {
  type: 'n8n-nodes-base.httpRequest';
  typeVersion: 4.2;
  parameters: JsonObject;
  /** Flags that were not translated (for the user to review). */
  ignored: string[];
}

/**
 * Turns a `curl ...` command into HTTP Request v4.2 parameters (n8n's "Import cURL"). Basic
 * credentials are not put into parameters: they are reported in `ignored` (use a credential).
 */
export function curlToHttpRequest(command: string): CurlImport {
  const words = splitShellWords(command.trim());
  if (words[0] === 'curl') words.shift();
  let method: string | undefined;
  let url: string | undefined;
  const headers: Array<{ name: string; value: string }> = [];
  const data: string[] = [];
  const urlencoded: string[] = [];
  const form: Array<{
    parameterType: string;
    name: string;
    value?: string;
    inputDataFieldName?: string;
  }> = [];
  const ignored: string[] = [];
  const options: JsonObject = {};
  let json = false;
  let get = false;
  let head = false;
  for (let i = 0; i < words.length; i++) {
    let flag = words[i]!;
    let value: string | undefined;
    if (flag.startsWith('--') && flag.includes('=')) {
      value = flag.slice(flag.indexOf('=') + 1);
      flag = flag.slice(0, flag.indexOf('='));
    } else if (/^-[A-Za-z]./.test(flag) && VALUE_FLAGS.has(flag.slice(0, 2))) {
      value = flag.slice(2);
      flag = flag.slice(0, 2);
    } else if (VALUE_FLAGS.has(flag)) {
      value = words[++i];
      if (value === undefined) throw new Error(`cURL option ${flag} needs a value`);
    }
    switch (flag) {
      case '-X':
      case '--request':
        method = value!.toUpperCase();
        break;
      case '-H':
      case '--header': {
        const at = value!.indexOf(':');
        if (at > 0)
          headers.push({ name: value!.slice(0, at).trim(), value: value!.slice(at + 1).trim() });
        break;
      }
      case '-A':
      case '--user-agent':
        headers.push({ name: 'User-Agent', value: value! });
        break;
      case '-b':
      case '--cookie':
        headers.push({ name: 'Cookie', value: value! });
        break;
      case '-e':
      case '--referer':
        headers.push({ name: 'Referer', value: value! });
        break;
      case '--json':
        json = true;
        data.push(value!);
        break;
      case '-d':
      case '--data':
      case '--data-raw':
      case '--data-ascii':
      case '--data-binary':
        data.push(value!);
        break;
      case '--data-urlencode':
        urlencoded.push(value!);
        break;
      case '-F':
      case '--form':
      case '--form-string': {
        const at = value!.indexOf('=');
        const name = value!.slice(0, at);
        const v = value!.slice(at + 1);
        if (flag === '--form-string' || !v.startsWith('@'))
          form.push({ parameterType: 'formData', name, value: v });
        else form.push({ parameterType: 'formBinaryData', name, inputDataFieldName: 'data' });
        break;
      }
      case '-u':
      case '--user':
        ignored.push(`${flag} (use a Basic Auth credential)`);
        break;
      case '--url':
        url = value;
        break;
      case '-x':
      case '--proxy':
        options.proxy = value!;
        break;
      case '-m':
      case '--max-time':
        options.timeout = Math.round(Number(value) * 1000);
        break;
      case '-k':
      case '--insecure':
        options.allowUnauthorizedCerts = true;
        break;
      case '-L':
      case '--location':
        options.redirect = { redirect: { followRedirects: true } };
        break;
      case '--max-redirs':
        options.redirect = { redirect: { followRedirects: true, maxRedirects: Number(value) } };
        break;
      case '-G':
      case '--get':
        get = true;
        break;
      case '-I':
      case '--head':
        head = true;
        break;
      case '-i':
      case '--include':
        options.response = { response: { fullResponse: true } };
        break;
      case '--compressed':
      case '-s':
      case '--silent':
      case '-S':
      case '--show-error':
      case '-v':
      case '--verbose':
        break;
      default:
        if (!flag.startsWith('-') && url === undefined) url = flag;
        else if (flag.startsWith('-'))
          ignored.push(value === undefined ? flag : `${flag} ${value}`);
    }
  }
  if (!url) throw new Error('the cURL command has no URL');
  if (!/^[a-z]+:\/\//i.test(url)) url = `http://${url}`;
  const parameters: JsonObject = { url };
  const contentType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
  if (get || head) {
    const query = [...data, ...urlencoded].join('&');
    if (query) {
      const params = new URLSearchParams(query);
      parameters.sendQuery = true;
      parameters.queryParameters = {
        parameters: [...params.entries()].map(([name, value]) => ({ name, value })),
      };
    }
    method = head ? 'HEAD' : 'GET';
  } else if (form.length > 0) {
    method ??= 'POST';
    parameters.sendBody = true;
    parameters.contentType = 'multipart-form-data';
    parameters.bodyParameters = { parameters: form };
  } else if (data.length > 0 || urlencoded.length > 0) {
    method ??= 'POST';
    parameters.sendBody = true;
    const body = data.join('&');
    if (json || contentType.includes('json')) {
      parameters.contentType = 'json';
      parameters.specifyBody = 'json';
      parameters.jsonBody = body;
    } else if (contentType === '' || contentType.includes('application/x-www-form-urlencoded')) {
      parameters.contentType = 'form-urlencoded';
      const params = new URLSearchParams(body);
      for (const entry of urlencoded) {
        const at = entry.indexOf('=');
        params.append(at >= 0 ? entry.slice(0, at) : entry, at >= 0 ? entry.slice(at + 1) : '');
      }
      parameters.bodyParameters = {
        parameters: [...params.entries()].map(([name, value]) => ({ name, value })),
      };
    } else {
      parameters.contentType = 'raw';
      parameters.rawContentType = contentType;
      parameters.body = body;
    }
  }
  parameters.method = method ?? 'GET';
  const sentHeaders = headers.filter(
    (h) =>
      !(
        parameters.sendBody &&
        h.name.toLowerCase() === 'content-type' &&
        parameters.contentType !== 'raw'
      ),
  );
  if (json) sentHeaders.push({ name: 'Accept', value: 'application/json' });
  if (sentHeaders.length > 0) {
    parameters.sendHeaders = true;
    parameters.headerParameters = { parameters: sentHeaders };
  }
  if (Object.keys(options).length > 0) parameters.options = options;
  return { type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters, ignored };
}
