import { describe, expect, it } from 'vitest';
import { curlToHttpRequest, splitShellWords } from './curl-to-node.js';

describe('curlToHttpRequest', () => {
  it('splits shell words with quotes, escapes and continuations', () => {
    expect(splitShellWords(`curl -H 'A: b c' "x \\"y\\"" \\\n  z\\ w $'a\\nb'`)).toEqual([
      'curl',
      '-H',
      'A: b c',
      'x "y"',
      'z w',
      'a\nb',
    ]);
    expect(() => splitShellWords("curl 'open")).toThrow(/unterminated quote/);
  });

  it('imports a JSON POST with headers', () => {
    const result = curlToHttpRequest(
      `curl -X POST https://api.example.com/v1/items -H 'Content-Type: application/json' -H 'X-Trace: 1' -d '{"name":"a"}' --compressed`,
    );
    expect(result.parameters).toEqual({
      url: 'https://api.example.com/v1/items',
      method: 'POST',
      sendBody: true,
      contentType: 'json',
      specifyBody: 'json',
      jsonBody: '{"name":"a"}',
      sendHeaders: true,
      headerParameters: { parameters: [{ name: 'X-Trace', value: '1' }] },
    });
  });

  it('imports form data, query strings, multipart and options', () => {
    const form = curlToHttpRequest(
      'curl https://x.test/f -d a=1 -d b=two --data-urlencode "c=d e"',
    );
    expect(form.parameters).toMatchObject({
      method: 'POST',
      contentType: 'form-urlencoded',
      bodyParameters: {
        parameters: [
          { name: 'a', value: '1' },
          { name: 'b', value: 'two' },
          { name: 'c', value: 'd e' },
        ],
      },
    });
    const get = curlToHttpRequest('curl -G https://x.test/s -d q=cats -k -L -m 5');
    expect(get.parameters).toMatchObject({
      method: 'GET',
      sendQuery: true,
      queryParameters: { parameters: [{ name: 'q', value: 'cats' }] },
      options: {
        allowUnauthorizedCerts: true,
        redirect: { redirect: { followRedirects: true } },
        timeout: 5000,
      },
    });
    const multipart = curlToHttpRequest('curl -F title=hi -F file=@photo.png https://x.test/u');
    expect(multipart.parameters).toMatchObject({
      method: 'POST',
      contentType: 'multipart-form-data',
      bodyParameters: {
        parameters: [
          { parameterType: 'formData', name: 'title', value: 'hi' },
          { parameterType: 'formBinaryData', name: 'file', inputDataFieldName: 'data' },
        ],
      },
    });
  });

  it('keeps credentials out of parameters and reports unknown flags', () => {
    const result = curlToHttpRequest('curl -u bob:secret --weird https://x.test/');
    expect(JSON.stringify(result.parameters)).not.toContain('secret');
    expect(result.ignored).toEqual(['-u (use a Basic Auth credential)', '--weird']);
    expect(() => curlToHttpRequest('curl -X GET')).toThrow(/no URL/);
  });
});
