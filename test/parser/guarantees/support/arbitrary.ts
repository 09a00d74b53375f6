/**
 * fast-check generators of valid guarantee ASTs (with dummy positions), and of vocabulary for
 * mutating valid files. Names and label words often are keywords, which the grammar must accept
 * as words.
 */
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import type {
  Claim,
  Domain,
  LabelRequirement,
  NamespaceExpr,
  PortSpec,
  GuaranteeProtocol as Protocol,
  SetExpr,
  WithinEntry,
} from "../../../../src/parser/guarantees/index.js";

const source = { file: "gen", line: 1, column: 1 };

export const KEYWORDS = [
  "guarantee",
  "allow",
  "deny",
  "from",
  "to",
  "on",
  "isolated",
  "ingress",
  "egress",
  "both",
  "for",
  "of",
  "within",
  "or",
  "and",
  "except",
  "not",
  "in",
  "notin",
  "namespace",
  "namespaces",
  "any",
  "existing",
  "pods",
  "pod",
  "all",
  "workload",
  "service",
  "external",
  "anything",
  "anywhere",
  "deployment",
  "statefulset",
  "daemonset",
  "replicaset",
  "job",
  "cronjob",
  "tcp",
  "udp",
  "sctp",
];

/** A DNS-1123 label, a DNS-1035 label too when it starts with a letter. */
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const dnsLabel = fc.oneof({ weight: 3, arbitrary: label }, fc.constantFrom(...KEYWORDS));
const subdomain = fc.oneof(
  dnsLabel,
  fc.tuple(dnsLabel, dnsLabel).map(([a, b]) => `${a}.${b}`),
);
const labelWord = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,6}[A-Za-z0-9])?$/) },
  fc.constantFrom(...KEYWORDS),
);
const labelKey = fc.oneof(
  { weight: 3, arbitrary: labelWord },
  fc.tuple(subdomain, labelWord).map(([p, n]) => `${p}/${n}`),
);
const labelValue = fc.oneof({ weight: 5, arbitrary: labelWord }, fc.constant(""));

const requirement: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc
    .record({ key: labelKey, operator: fc.constantFrom("In" as const, "NotIn" as const) })
    .chain((r) =>
      fc.array(labelValue, { minLength: 1, maxLength: 3 }).map((values) => ({ ...r, values, source })),
    ),
  fc.record({
    key: labelKey,
    operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const),
    values: fc.constant([]),
    source: fc.constant(source),
  }),
);
const requirements = fc.array(requirement, { minLength: 1, maxLength: 3 });

const namespaceExpr: fc.Arbitrary<NamespaceExpr> = fc.oneof(
  dnsLabel.map((name) => ({ kind: "name" as const, name, source })),
  requirements.map((labels) => ({ kind: "labels" as const, labels, source })),
  fc.constant({ kind: "labels" as const, labels: [], source }),
);

const pods: fc.Arbitrary<SetExpr> = fc
  .record(
    {
      domain: fc.constantFrom<Domain>("any", "existing"),
      labels: requirements,
      namespace: namespaceExpr,
    },
    { requiredKeys: [] },
  )
  .map((p) => ({ kind: "pods" as const, ...p, source }));

const ipv4 = fc
  .tuple(fc.ipV4(), fc.option(fc.integer({ min: 0, max: 32 })))
  .map(([a, p]) => (p === null ? a : `${a}/${p}`));
const ipv6 = fc
  .tuple(fc.ipV6(), fc.option(fc.integer({ min: 0, max: 128 })))
  .map(([a, p]) => (p === null ? a : `${a}/${p}`))
  .filter((t) => (t.includes("/") ? ipaddr.IPv6.isValidCIDR(t) : ipaddr.IPv6.isValid(t)));

const leaf: fc.Arbitrary<SetExpr> = fc.oneof(
  { weight: 4, arbitrary: pods },
  fc.record({
    kind: fc.constant("workload" as const),
    namespace: dnsLabel,
    name: subdomain,
    workloadKind: fc.constantFrom(
      undefined,
      "deployment",
      "statefulset",
      "daemonset",
      "replicaset",
      "job",
      "cronjob",
      "pod",
    ),
    source: fc.constant(source),
  }),
  fc.record({
    kind: fc.constant("service" as const),
    namespace: dnsLabel,
    name: label,
    source: fc.constant(source),
  }),
  fc.record({
    kind: fc.constant("ref" as const),
    namespace: dnsLabel,
    name: subdomain,
    source: fc.constant(source),
  }),
  fc.oneof(ipv4, ipv6).map((text) => ({ kind: "cidr" as const, text, source })),
  fc.constant({ kind: "external" as const, source }),
  fc.constant({ kind: "anything" as const, source }),
);

export const setExpr: fc.Arbitrary<SetExpr> = fc.letrec<{ set: SetExpr }>((tie) => ({
  set: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.record({
      kind: fc.constantFrom("or" as const, "and" as const, "except" as const),
      left: tie("set"),
      right: tie("set"),
      source: fc.constant(source),
    }),
    fc.record({ kind: fc.constant("not" as const), operand: tie("set"), source: fc.constant(source) }),
  ),
})).set;

const protocol = fc.constantFrom<Protocol>("TCP", "UDP", "SCTP");
const portNumber = fc.integer({ min: 1, max: 65535 });
const portSpec: fc.Arbitrary<PortSpec> = fc.oneof(
  fc.constant({ kind: "all" as const, source }),
  protocol.map((p) => ({ kind: "protocol" as const, protocol: p, source })),
  fc.tuple(protocol, portNumber, portNumber).map(([p, a, b]) => ({
    kind: "range" as const,
    protocol: p,
    from: Math.min(a, b),
    to: Math.max(a, b),
    source,
  })),
  fc
    .tuple(protocol, fc.stringMatching(/^[a-z]([a-z0-9]{0,5}-?[a-z0-9]{1,5})?$/))
    .map(([p, name]) => ({ kind: "named" as const, protocol: p, name, source })),
);
export const ports = fc.array(portSpec, { minLength: 1, maxLength: 3 });

/** In a within list `tcp/80, any` would start a new entry at `any`: only the first port may be `any`. */
const entryPorts = ports.filter((ps) => ps.every((p, i) => i === 0 || p.kind !== "all"));
const entry: fc.Arbitrary<WithinEntry> = fc
  .record({ peers: setExpr, ports: entryPorts }, { requiredKeys: ["peers"] })
  .map((e) => ({ ...e, source }));

export const claim: fc.Arbitrary<Claim> = fc.oneof(
  fc
    .record(
      { verdict: fc.constantFrom("allow" as const, "deny" as const), from: setExpr, to: setExpr, ports },
      { requiredKeys: ["verdict", "from", "to"] },
    )
    .map((c) => ({ kind: "reach" as const, ...c, source })),
  fc
    .record({
      direction: fc.constantFrom("ingress" as const, "egress" as const, "both" as const),
      subject: setExpr,
    })
    .map((c) => ({ kind: "isolated" as const, ...c, source })),
  fc
    .record({
      direction: fc.constantFrom("ingress" as const, "egress" as const),
      subject: setExpr,
      entries: fc.array(entry, { minLength: 1, maxLength: 3 }),
    })
    .map((c) => ({ kind: "within" as const, ...c, source })),
);

export const guaranteeName = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}$/),
  fc.constantFrom(...KEYWORDS),
);

/** Guarantees with distinct names. */
export const guarantees = fc.uniqueArray(fc.record({ name: guaranteeName, claim }), {
  minLength: 1,
  maxLength: 5,
  selector: (g) => g.name,
});

/** Bits of text for mutating a valid file: tokens, near-tokens and junk. */
export const fragment = fc.oneof(
  fc.constantFrom(
    ...KEYWORDS,
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    "=",
    "==",
    "!=",
    "!",
    '"',
    '"x"',
    "#",
    "\n",
    " ",
    "/",
    "tcp/",
    "tcp/0",
    "tcp/70000",
    "tcp/9-1",
    "10.0.0.0/33",
    "::",
    "fd00::/8",
    "a/b",
    "a/b/c",
    "guarantee x:",
    "@",
    "\u00e9",
    "\t",
  ),
  fc.string({ maxLength: 4 }),
);
