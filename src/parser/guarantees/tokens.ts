/**
 * Tokens of the guarantee language (see ast.ts for the syntax).
 *
 * Every keyword also belongs to the `Word` category, so that a keyword is accepted wherever a name,
 * a label key or a label value is (a namespace called `external`, a label value `all`). Which word a
 * token is matters only where the grammar expects a keyword.
 *
 * Words that hold a `/` are one token, so `ns/name`, `tcp/443`, `10.0.0.0/8` and
 * `app.kubernetes.io/name` cannot be written with spaces inside:
 * | token       | examples                                    | category                 |
 * |-------------|---------------------------------------------|--------------------------|
 * | `ProtoPort` | `tcp/443`, `UDP/53`, `tcp/8000-8080`, `tcp/http` | `Path`, `Word`      |
 * | `Path`      | `kube-system/kube-dns`, `app.kubernetes.io/name` | `Word`              |
 * | `IPv4Like`  | `10.0.0.0/8`, `192.0.2.1`, also a label value `1.2.3` | `Word`         |
 * | `IPv6Like`  | `fd00::/8`, `::1` (at least two colons)     | `Word`                   |
 * The lexer is deliberately loose (`tcp/`, `10.0.0.999`): the builder checks the text and reports a
 * precise diagnostic instead of an unknown-character error.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

/** A name, label key or label value: any word-like token, keywords included. */
export const Word = createToken({ name: "Word", label: "a name", pattern: Lexer.NA });
export const Path = createToken({
  name: "Path",
  label: "`namespace/name`",
  pattern: Lexer.NA,
  categories: [Word],
});
/** `deployment`, `statefulset`, … (not `pod`: `pod` alone also means every pod). */
export const WorkloadKind = createToken({
  name: "WorkloadKind",
  label: "a workload kind (`deployment`, …)",
  pattern: Lexer.NA,
  categories: [Word],
});
export const Protocol = createToken({
  name: "Protocol",
  label: "`tcp`, `udp` or `sctp`",
  pattern: Lexer.NA,
  categories: [Word],
});
/** `anything` and its synonym `anywhere`. */
export const Everything = createToken({
  name: "Everything",
  label: "`anything`",
  pattern: Lexer.NA,
  categories: [Word],
});

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });
export const StringLit = createToken({
  name: "StringLit",
  label: "a string",
  pattern: /"(?:[^"\\\n\r]|\\.)*"/,
});
/** A string without its closing quote: set aside by the lexer, reported as NP4007. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n\r]|\\.)*/,
  group: "unterminated",
});

export const Identifier = createToken({
  name: "Identifier",
  label: "a name",
  pattern: /[A-Za-z0-9_][A-Za-z0-9_.-]*/,
  categories: [Word],
});
const PathPattern = /[A-Za-z0-9_][A-Za-z0-9_.-]*\/[A-Za-z0-9_./-]*/;
export const PathWord = createToken({
  name: "PathWord",
  label: "`namespace/name`",
  pattern: PathPattern,
  categories: [Path],
});
export const ProtoPort = createToken({
  name: "ProtoPort",
  label: "a port such as `tcp/443`",
  pattern: /(?:tcp|udp|sctp)\/[A-Za-z0-9_./-]*/i,
  categories: [Path],
  longer_alt: PathWord,
});
export const IPv4Like = createToken({
  name: "IPv4Like",
  label: "an IPv4 address",
  pattern: /[0-9]+(?:\.[0-9]+)+(?:\/[0-9]*)?/,
  categories: [Word],
  longer_alt: [PathWord, Identifier],
});
export const IPv6Like = createToken({
  name: "IPv6Like",
  label: "an IPv6 address",
  pattern: /[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:\/[0-9]*)?/,
  categories: [Word],
});

/**
 * The keywords a token type stands for: itself for a keyword, its members for a category (not for
 * `Word`, which every keyword is). For "did you mean" suggestions.
 */
export const KEYWORDS_OF = new Map<TokenType, string[]>();

function keyword(word: string, categories: TokenType[] = [], pattern?: RegExp): TokenType {
  const type = createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    label: `\`${word}\``,
    pattern: pattern ?? new RegExp(word),
    categories: [Word, ...categories],
    longer_alt: Identifier,
  });
  for (const t of [type, ...categories]) KEYWORDS_OF.set(t, [...(KEYWORDS_OF.get(t) ?? []), word]);
  return type;
}

export const Guarantee = keyword("guarantee");
export const Allow = keyword("allow");
export const Deny = keyword("deny");
export const From = keyword("from");
export const To = keyword("to");
export const On = keyword("on");
export const Isolated = keyword("isolated");
export const Ingress = keyword("ingress");
export const Egress = keyword("egress");
export const Both = keyword("both");
export const For = keyword("for");
export const Of = keyword("of");
export const Within = keyword("within");
export const Or = keyword("or");
export const And = keyword("and");
export const Except = keyword("except");
export const Not = keyword("not");
export const In = keyword("in");
export const NotIn = keyword("notin");
export const Namespace = keyword("namespace");
export const Namespaces = keyword("namespaces");
export const Any = keyword("any");
export const Existing = keyword("existing");
export const Pods = keyword("pods");
export const Pod = keyword("pod");
export const All = keyword("all");
export const Workload = keyword("workload");
export const Service = keyword("service");
export const External = keyword("external");
export const Anything = keyword("anything", [Everything]);
export const Anywhere = keyword("anywhere", [Everything]);
export const Deployment = keyword("deployment", [WorkloadKind]);
export const StatefulSet = keyword("statefulset", [WorkloadKind]);
export const DaemonSet = keyword("daemonset", [WorkloadKind]);
export const ReplicaSet = keyword("replicaset", [WorkloadKind]);
export const Job = keyword("job", [WorkloadKind]);
export const CronJob = keyword("cronjob", [WorkloadKind]);
/** Protocols are case-insensitive (`TCP`, `tcp`), as in Kubernetes manifests. */
export const Tcp = keyword("tcp", [Protocol], /tcp/i);
export const Udp = keyword("udp", [Protocol], /udp/i);
export const Sctp = keyword("sctp", [Protocol], /sctp/i);

const KEYWORDS = [
  Guarantee,
  Allow,
  Deny,
  From,
  To,
  On,
  Isolated,
  Ingress,
  Egress,
  Both,
  For,
  Of,
  Within,
  Or,
  And,
  Except,
  Not,
  In,
  NotIn,
  Namespace,
  Namespaces,
  Any,
  Existing,
  Pods,
  Pod,
  All,
  Workload,
  Service,
  External,
  Anything,
  Anywhere,
  Deployment,
  StatefulSet,
  DaemonSet,
  ReplicaSet,
  Job,
  CronJob,
  Tcp,
  Udp,
  Sctp,
];

export const NotEq = createToken({ name: "NotEq", label: "`!=`", pattern: /!=/ });
export const EqEq = createToken({ name: "EqEq", label: "`==`", pattern: /==/ });
export const Eq = createToken({ name: "Eq", label: "`=`", pattern: /=/ });
export const Bang = createToken({ name: "Bang", label: "`!`", pattern: /!/ });
export const Colon = createToken({ name: "Colon", label: "`:`", pattern: /:/ });
export const Comma = createToken({ name: "Comma", label: "`,`", pattern: /,/ });
export const LParen = createToken({ name: "LParen", label: "`(`", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", label: "`)`", pattern: /\)/ });
export const LBrace = createToken({ name: "LBrace", label: "`{`", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", label: "`}`", pattern: /\}/ });

/**
 * Not lexed: parse.ts ends a statement's tokens with one of these, standing for the next statement's
 * `guarantee`, so that the parser can say "found the next statement" and can never read it as a word.
 */
export const NextStatement = createToken({
  name: "NextStatement",
  label: "the next statement",
  pattern: Lexer.NA,
});

/** Every token type, in the lexer's order of preference (first match wins, unless a longer_alt is longer). */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLit,
  UnterminatedString,
  IPv6Like,
  IPv4Like,
  ProtoPort,
  PathWord,
  // Longest keywords first, so that `pods` is not read as `pod` + `s` (`in` / `ingress`, `not` / `notin`).
  ...[...KEYWORDS].sort((a, b) => b.name.length - a.name.length),
  Identifier,
  NotEq,
  EqEq,
  Eq,
  Bang,
  Colon,
  Comma,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Word,
  Path,
  WorkloadKind,
  Protocol,
  Everything,
  NextStatement,
];

let lexer: Lexer | undefined;

/** The lexer, built on first use (see `guaranteeParser`). */
export function guaranteeLexer(): Lexer {
  lexer ??= new Lexer(ALL_TOKENS, { ensureOptimizations: false, positionTracking: "full" });
  return lexer;
}
