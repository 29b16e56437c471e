// The config API as the page uses it: the same routes, ETags and If-Match as provision_linklocal.
// Credentials are kept in memory only (a reload asks again) and sent on every call.

export const TYPE = 'global-vrouter-config';
const FQ_NAME = ['default-global-system-config', 'default-global-vrouter-config'];

/** An answer other than success, in the API's one error shape. */
export class ApiError extends Error {
  constructor(status, message, fieldErrors) {
    super(message);
    this.status = status;
    this.fieldErrors = fieldErrors || {};
  }
}

function base64Utf8(text) {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

export class Api {
  constructor() { this.credential = null; }

  useBasic(user, password) { this.credential = ['Authorization', 'Basic ' + base64Utf8(user + ':' + password)]; }
  useToken(token) { this.credential = ['X-Auth-Token', token]; }
  forget() { this.credential = null; }

  /** One call; resolves to {status, etag, body}, rejects with ApiError (status 0: unreachable). */
  async call(method, path, { body, ifMatch, signal } = {}) {
    const headers = { 'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
    if (this.credential) headers[this.credential[0]] = this.credential[1];
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (ifMatch !== undefined) headers['If-Match'] = '"' + ifMatch + '"';
    let rsp;
    try {
      rsp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal, credentials: 'omit', cache: 'no-store' });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'the config API cannot be reached (' + e.message + ')');
    }
    let json = null;
    const text = await rsp.text();
    if (text) {
      try { json = JSON.parse(text); } catch (e) { json = null; }
    }
    if (!rsp.ok) {
      const msg = json && typeof json.error === 'string' ? json.error : 'HTTP ' + rsp.status;
      throw new ApiError(rsp.status, msg, json && json.field_errors);
    }
    return { status: rsp.status, etag: parseEtag(rsp.headers.get('ETag')), body: json };
  }

  session() { return this.call('GET', 'api/session').then(r => r.body); }
  agents() { return this.call('GET', 'api/agents').then(r => r.body); }

  async uuid() {
    const r = await this.call('POST', '../fqname-to-id', { body: { type: TYPE, fq_name: FQ_NAME } });
    return r.body.uuid;
  }

  /** The object's entries and revision: {uuid, revision, entries}. */
  async read(uuid) {
    const r = await this.call('GET', '../' + TYPE + '/' + encodeURIComponent(uuid));
    return snapshot(r.etag, r.body[TYPE]);
  }

  /** Writes the whole entry list if the stored revision is still ifMatch; resolves to the new revision. */
  async write(uuid, ifMatch, entries) {
    const body = {};
    body[TYPE] = { linklocal_services: { linklocal_service_entry: entries } };
    const r = await this.call('PUT', '../' + TYPE + '/' + encodeURIComponent(uuid), { body, ifMatch });
    return r.etag;
  }

  /** Long-polls the API's watch; resolves to a snapshot, or null when nothing changed in timeoutS. */
  async watch(since, timeoutS, signal) {
    const r = await this.call('GET', '../watch/' + TYPE + '?since=' + since + '&timeout=' + timeoutS, { signal });
    if (r.status === 204 || !r.body) return null;
    return snapshot(r.body.revision, r.body[TYPE]);
  }
}

function parseEtag(tag) {
  if (!tag) return 0;
  const n = Number(tag.replace(/^W\//, '').replace(/"/g, ''));
  return Number.isSafeInteger(n) ? n : 0;
}

function snapshot(revision, obj) {
  const services = obj && obj.linklocal_services;
  const entries = services && Array.isArray(services.linklocal_service_entry) ? services.linklocal_service_entry : [];
  return { uuid: obj && obj.uuid, revision: Number(revision), entries };
}
