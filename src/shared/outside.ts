import { printable, withoutJwts } from "./text.js";

/** A value that must never be shown, and what is shown in its place. */
export interface Secret {
  value: string;
  label: string;
}

/**
 * Credentials this process holds (the Authlete bearer, a legacy client's secret and its Basic pair):
 * every text from outside is cleaned of them, whoever shows it.
 */
/** Each with its forms, worked out once: the output seam cleans every write with them. */
const credentials: { value: string; label: string; forms: string[] }[] = [];

/** Registers a credential (once it is read) so that no text from outside can show it back. */
export function registerCredential(label: string, value: string): void {
  if (value.length >= 4 && !credentials.some((c) => c.value === value))
    credentials.push({ value, label, forms: secretForms(value) });
}

/**
 * The HTTP Basic credentials of a client as RFC 6749 §2.3.1 sends them (each part form-encoded), the
 * value of the `Basic` header.
 */
export function basicCredentials(clientId: string, secret: string): string {
  return Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64");
}

/** HTTP Basic credentials as a pair: their base64 is a secret of its own (sent encoded, or echoed plain). */
export function basicPair(clientId: string, secret: string): Secret[] {
  const plain = Buffer.from(`${clientId}:${secret}`).toString("base64");
  return [...new Set([basicCredentials(clientId, secret), plain])].map((value) => ({
    value,
    label: "[the client credentials]",
  }));
}

/**
 * The forms a value takes when a server echoes a request back: raw, URL-encoded (a path, a form with
 * `+` for spaces), JSON-escaped (with `\/` too), base64 and base64url.
 */
export function secretForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const forms = [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    json,
    json.replaceAll("/", "\\/"),
    Buffer.from(value).toString("base64"),
    Buffer.from(value).toString("base64url"),
  ];
  // Longest first: a form that contains another is replaced whole.
  return [...new Set(forms)].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/** The text with every form of every secret (and of every registered credential) replaced by its label. */
export function redact(text: string, secrets: readonly Secret[] = []): string {
  let out = text;
  for (const { value, label } of secrets)
    for (const form of secretForms(value)) out = out.replaceAll(form, label);
  for (const { label, forms } of credentials) for (const form of forms) out = out.replaceAll(form, label);
  return out;
}

/**
 * The one rule for text from outside (a server's answer, a file, a ledger column) before it reaches a
 * terminal, a report or the ledger: secrets in every form replaced, JWTs hidden, control and bidi
 * characters escaped, bounded to `max` characters.
 */
export function fromOutside(text: string, secrets: readonly Secret[] = [], max = 200): string {
  return printable(withoutJwts(redact(text, secrets)), max);
}

/** A token value as a secret: shown as a placeholder wherever a server echoes it. */
export const tokenSecret = (value: string): Secret => ({ value, label: "[the token]" });
