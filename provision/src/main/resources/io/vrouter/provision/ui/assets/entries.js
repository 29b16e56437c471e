// Link-local service entries: how they are shown, checked, compared and edited. Pure functions.
// The checks mirror the server's validator (LinkLocalValidator) and use its wording, so the
// browser, the CLI and the API say the same thing; the server stays the authority (uniqueness).

export const FIELDS = ['linklocal_service_name', 'linklocal_service_ip', 'linklocal_service_port',
  'ip_fabric_DNS_service_name', 'ip_fabric_service_ip', 'ip_fabric_service_port'];

const LABELS = {
  linklocal_service_name: 'Service Name', linklocal_service_ip: 'Service IP', linklocal_service_port: 'Service Port',
  ip_fabric_DNS_service_name: 'Fabric DNS Name', ip_fabric_service_ip: 'Fabric IPs', ip_fabric_service_port: 'Fabric Port',
};
export const label = field => LABELS[field] || field;

const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIp(text) {
  if (IPV4.test(text)) return true;
  if (!text.includes(':') || /[^0-9A-Fa-f:.]/.test(text)) return false;
  try { new URL('http://[' + text + ']/'); return true; } catch (e) { return false; }
}

const fabricIps = e => Array.isArray(e.ip_fabric_service_ip) ? e.ip_fabric_service_ip : [];
const hostPort = (host, port) => (String(host).includes(':') ? '[' + host + ']' : host) + ':' + port;
export const usesDns = e => !!e.ip_fabric_DNS_service_name;
export const serviceAddress = e => hostPort(e.linklocal_service_ip, e.linklocal_service_port);
export const fabricAddress = e => (usesDns(e) ? e.ip_fabric_DNS_service_name : fabricIps(e).join(', ')) + ':' + e.ip_fabric_service_port;
export const describe = e => e.linklocal_service_name + ' (' + serviceAddress(e) + ' → ' + fabricAddress(e) + ')';

/** A field's value as text, for the details row and the diff. */
export function show(e, field) {
  const v = e[field];
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  return v === undefined || v === null || v === '' ? '—' : String(v);
}

function port(text, errors, field) {
  const t = text.trim();
  if (!t) { errors[field] = 'is required'; return null; }
  if (!/^\d{1,9}$/.test(t)) { errors[field] = "'" + t + "' is not a port number"; return null; }
  const n = Number(t);
  if (n < 1 || n > 65535) { errors[field] = n + ' is outside 1-65535'; return null; }
  return n;
}

/**
 * Checks the form's values ({name, ip, port, type, fabricIps[], dns, fabricPort}) as Contrail's
 * form does; returns {entry, errors}: errors by entry field (fabric IPs as ip_fabric_service_ip[j]).
 */
export function fromForm(v) {
  const errors = {};
  const name = v.name.trim();
  if (!name) errors.linklocal_service_name = 'is required';
  else if (name.length > 255) errors.linklocal_service_name = 'is ' + name.length + ' characters, the limit is 255';
  const ip = v.ip.trim();
  if (!ip) errors.linklocal_service_ip = 'is required';
  else if (!isIp(ip)) errors.linklocal_service_ip = "'" + ip + "' is not an IPv4 or IPv6 address";
  const sport = port(v.port, errors, 'linklocal_service_port');
  const fport = port(v.fabricPort, errors, 'ip_fabric_service_port');
  const entry = { linklocal_service_name: name, linklocal_service_ip: ip, linklocal_service_port: sport,
    ip_fabric_service_port: fport };
  if (v.type === 'dns') {
    const dns = v.dns.trim();
    if (!dns) errors.ip_fabric_DNS_service_name = 'is required';
    else if (!HOSTNAME.test(dns)) errors.ip_fabric_DNS_service_name = "'" + dns + "' is not a valid DNS name";
    entry.ip_fabric_DNS_service_name = dns;
    entry.ip_fabric_service_ip = [];
  } else {
    const ips = v.fabricIps.map(s => s.trim());
    const seen = new Set();
    ips.forEach((s, j) => {
      const f = 'ip_fabric_service_ip[' + j + ']';
      if (!s) errors[f] = 'is required';
      else if (!isIp(s)) errors[f] = "'" + s + "' is not an IPv4 or IPv6 address";
      else if (seen.has(s)) errors[f] = "'" + s + "' is listed twice";
      seen.add(s);
    });
    if (!ips.length) errors.ip_fabric_service_ip = 'at least one fabric IP is required';
    entry.ip_fabric_service_ip = ips;
  }
  return { entry, errors };
}

/** An operator's pending change, re-appliable to any later list. */
export const putOp = (originalName, entry) => ({ kind: 'put', originalName, entry });
export const deleteOp = names => ({ kind: 'delete', names });

export function applyOp(entries, op) {
  if (op.kind === 'delete') return entries.filter(e => !op.names.includes(e.linklocal_service_name));
  const at = op.originalName == null ? -1 : entries.findIndex(e => e.linklocal_service_name === op.originalName);
  if (at < 0) return entries.concat([op.entry]);
  return entries.map((e, i) => (i === at ? op.entry : e));
}

/** The index the op's entry has in applyOp's result (where the server names its errors). */
export function indexOfOp(entries, op) {
  if (op.kind !== 'put') return -1;
  const at = op.originalName == null ? -1 : entries.findIndex(e => e.linklocal_service_name === op.originalName);
  return at < 0 ? entries.length : at;
}

export function describeOp(op) {
  if (op.kind === 'delete') return 'delete ' + op.names.map(n => "'" + n + "'").join(', ');
  return (op.originalName == null ? 'create ' : 'edit ') + describe(op.entry);
}

/** What changed from `before` to `after`, by name: [{kind: added|removed|changed, name, text}]. */
export function diff(before, after) {
  const byName = list => new Map(list.map(e => [e.linklocal_service_name, e]));
  const a = byName(before);
  const b = byName(after);
  const out = [];
  for (const [name, e] of b) {
    if (!a.has(name)) { out.push({ kind: 'added', name, text: 'added ' + describe(e) }); continue; }
    const old = a.get(name);
    const changes = FIELDS.filter(f => show(old, f) !== show(e, f))
      .map(f => label(f) + ' ' + show(old, f) + ' → ' + show(e, f));
    if (changes.length) out.push({ kind: 'changed', name, text: "changed '" + name + "': " + changes.join('; ') });
  }
  for (const [name, e] of a) {
    if (!b.has(name)) out.push({ kind: 'removed', name, text: 'removed ' + describe(e) });
  }
  return out;
}
