/**
 * Name formats from k8s.io/apimachinery/pkg/util/validation. Each check returns `undefined` when the
 * text is valid, else a short reason in the words the API server uses.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function dns1123Label(s: string): string | undefined {
  if (s.length > 63) return "must be no more than 63 characters";
  if (!DNS1123_LABEL.test(s))
    return "must be a lowercase RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
  return undefined;
}

/** Service names: a DNS-1035 label (starts with a letter). */
export function dns1035Label(s: string): string | undefined {
  if (s.length > 63) return "must be no more than 63 characters";
  if (!DNS1035_LABEL.test(s))
    return "must be a lowercase RFC 1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
  return undefined;
}

export function dns1123Subdomain(s: string): string | undefined {
  if (s.length > 253) return "must be no more than 253 characters";
  if (!DNS1123_SUBDOMAIN.test(s))
    return "must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
  return undefined;
}

/** EndpointSlice FQDN addresses (IsFullyQualifiedDomainName): a subdomain of at least two labels. */
export function fullyQualifiedDomainName(s: string): string | undefined {
  const name = s.endsWith(".") ? s.slice(0, -1) : s;
  const bad = dns1123Subdomain(name);
  if (bad) return bad;
  const labels = name.split(".");
  if (labels.length < 2) return "must be a domain with at least two labels separated by dots";
  for (const l of labels) if (dns1123Label(l)) return `label ${JSON.stringify(l)} ${dns1123Label(l)}`;
  return undefined;
}

/** Label and annotation keys, and selector keys: `[prefix/]name`. */
export function qualifiedName(s: string): string | undefined {
  const parts = s.split("/");
  if (parts.length > 2)
    return "must be a name with at most one '/' (an optional DNS subdomain prefix and a name)";
  const name = parts[parts.length - 1] ?? "";
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    if (prefix === "") return "prefix part must be non-empty";
    const bad = dns1123Subdomain(prefix);
    if (bad) return `prefix part ${bad}`;
  }
  if (name === "") return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!QUALIFIED_NAME_PART.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** Label values (and selector values): empty, or a qualified-name part of at most 63 characters. */
export function labelValue(s: string): string | undefined {
  if (s === "") return undefined;
  if (s.length > 63) return "must be no more than 63 characters";
  if (!QUALIFIED_NAME_PART.test(s))
    return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** Named ports (RFC 6335 IANA_SVC_NAME). */
export function ianaSvcName(s: string): string | undefined {
  if (s.length > 15) return "must be no more than 15 characters";
  if (!IANA_SVC_NAME.test(s))
    return "must contain only lowercase letters, digits and '-', starting and ending with a letter or digit";
  if (s.includes("--")) return "must not contain consecutive hyphens";
  if (!/[a-z]/.test(s)) return "must contain at least one letter";
  return undefined;
}
