/** A browser's cookie jar, enough for one form at a time: takes the response's cookies, answers the Cookie header. */
export function cookiesOf(response: Response, jar: Map<string, string>): string {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** GETs a page with a form from a running Helpr, then posts the form with its CSRF token, as a browser would. */
export async function postForm(base: string, path: string, form: Record<string, string>, jar = new Map<string, string>()) {
  const page = await fetch(`${base}${path}`, { headers: { cookie: cookiesOf(new Response(), jar) } });
  const html = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) return { status: page.status, location: null, jar, pageStatus: page.status };
  const posted = await fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookiesOf(page, jar), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, _csrf: token }).toString(),
  });
  cookiesOf(posted, jar);
  await posted.arrayBuffer();
  return { status: posted.status, location: posted.headers.get('location'), jar, pageStatus: page.status };
}
