/**
 * The guarantee language's grammar (chevrotain, LL(k), no error recovery: parse.ts cuts the input
 * into statements and resynchronises itself). Rules build a CST; build.ts turns it into the AST and
 * checks names, labels, addresses and ports. The CST's types (cst.d.ts) are generated from this
 * grammar, and a test keeps them in step.
 *
 * ```
 * statement   = "guarantee" WORD ":" claim      -- then the next statement or the end (statementInput)
 * claim       = ("allow" | "deny") "from" set "to" set ["on" ports]
 *             | "isolated" ("ingress" | "egress" | "both") ["for"] set
 *             | ("ingress" | "egress") "of" set "within" "{" entry ("," entry)* "}"
 * entry       = set ["on" ports]          -- "," then a protocol continues `ports`, else starts an entry
 * ports       = port ("," port)*
 * port        = PROTOCOL | PROTOCOL "/" (PORT | FROM "-" TO | NAME) | "any" | "all"
 * set         = and ("or" and)*
 * and         = unary (("and" | "except") unary)*
 * unary       = "not"* postfix
 * postfix     = primary ("in" namespaces)*
 * namespaces  = "namespace" (WORD | selector) | "namespaces" selector | "any" "namespace"
 * primary     = ["any" | "existing"] target
 * target      = "(" set ")" | "pods" [selector] | "pod" [NS/NAME] | "all" "pods"
 *             | "namespace" (WORD | selector) | "namespaces" selector
 *             | ("workload" | KIND | "service") NS/NAME | NS/NAME | CIDR | ADDRESS | "external" | "anything"
 *   -- after "any", "namespace" alone is every namespace, and takes a WORD only if it is no keyword:
 *      `any namespace to …` is not a namespace called `to`
 * selector    = "(" requirement ("," requirement)* ")"
 * requirement = "!" KEY | KEY [("=" | "==" | "!=") [VALUE] | ("in" | "notin") "(" VALUE ("," VALUE)* ")"]
 * ```
 */
import { CstParser, EOF, type IToken, tokenMatcher } from "chevrotain";
import { errorMessages } from "./messages.js";
import * as T from "./tokens.js";

const SET_DESCRIPTION =
  "a set of endpoints (`pods`, `namespace …`, `ns/name`, an address, `external` or `anything`)";

/** Whether a token starts a port entry that continues a within entry's port list. */
function isProtocol(token: IToken): boolean {
  return tokenMatcher(token, T.Protocol) || tokenMatcher(token, T.ProtoPort);
}

export class GuaranteeParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, {
      maxLookahead: 2,
      nodeLocationTracking: "full",
      errorMessageProvider: errorMessages,
    });
    this.performSelfAnalysis();
  }

  /** A statement followed by the next statement (see parse.ts) or the end of input. */
  public statementInput = this.RULE("statementInput", () => {
    this.SUBRULE(this.statement);
    this.OR({
      ERR_MSG: "the end of the statement",
      DEF: [{ ALT: () => this.CONSUME(T.NextStatement) }, { ALT: () => this.CONSUME(EOF) }],
    });
  });

  public claimInput = this.RULE("claimInput", () => {
    this.SUBRULE(this.claim);
    this.CONSUME(EOF);
  });

  public setInput = this.RULE("setInput", () => {
    this.SUBRULE(this.setExpr);
    this.CONSUME(EOF);
  });

  public portsInput = this.RULE("portsInput", () => {
    this.SUBRULE(this.portList);
    this.CONSUME(EOF);
  });

  public statement = this.RULE("statement", () => {
    this.CONSUME(T.Guarantee);
    this.CONSUME(T.Word, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.claim);
  });

  public claim = this.RULE("claim", () => {
    this.OR({
      ERR_MSG: "a claim (`allow`, `deny`, `isolated`, `ingress` or `egress`)",
      DEF: [
        { ALT: () => this.SUBRULE(this.reachClaim) },
        { ALT: () => this.SUBRULE(this.isolatedClaim) },
        { ALT: () => this.SUBRULE(this.withinClaim) },
      ],
    });
  });

  public reachClaim = this.RULE("reachClaim", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Allow, { LABEL: "verdict" }) },
      { ALT: () => this.CONSUME(T.Deny, { LABEL: "verdict" }) },
    ]);
    this.CONSUME(T.From);
    this.SUBRULE(this.setExpr, { LABEL: "from" });
    this.CONSUME(T.To);
    this.SUBRULE2(this.setExpr, { LABEL: "to" });
    this.OPTION(() => {
      this.CONSUME(T.On);
      this.SUBRULE(this.portList);
    });
  });

  public isolatedClaim = this.RULE("isolatedClaim", () => {
    this.CONSUME(T.Isolated);
    this.OR([
      { ALT: () => this.CONSUME(T.Ingress, { LABEL: "direction" }) },
      { ALT: () => this.CONSUME(T.Egress, { LABEL: "direction" }) },
      { ALT: () => this.CONSUME(T.Both, { LABEL: "direction" }) },
    ]);
    this.OPTION(() => this.CONSUME(T.For));
    this.SUBRULE(this.setExpr);
  });

  public withinClaim = this.RULE("withinClaim", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ingress, { LABEL: "direction" }) },
      { ALT: () => this.CONSUME(T.Egress, { LABEL: "direction" }) },
    ]);
    this.CONSUME(T.Of);
    this.SUBRULE(this.setExpr);
    this.CONSUME(T.Within);
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.withinEntry);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.withinEntry);
    });
    this.CONSUME(T.RBrace);
  });

  public withinEntry = this.RULE("withinEntry", () => {
    this.SUBRULE(this.setExpr);
    this.OPTION(() => {
      this.CONSUME(T.On);
      this.SUBRULE(this.portList, { ARGS: [true] });
    });
  });

  /** In a within list (`inWithin`), a comma continues the port list only before a protocol. */
  public portList = this.RULE("portList", (inWithin?: boolean) => {
    this.SUBRULE(this.portSpec);
    this.MANY({
      GATE: () => !inWithin || isProtocol(this.LA(2)),
      DEF: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.portSpec);
      },
    });
  });

  public portSpec = this.RULE("portSpec", () => {
    this.OR({
      ERR_MSG: "a port (`tcp`, `udp` or `sctp`, optionally with `/port`, `/from-to` or `/name`; or `any`)",
      DEF: [
        { ALT: () => this.CONSUME(T.Protocol) },
        { ALT: () => this.CONSUME(T.ProtoPort) },
        { ALT: () => this.CONSUME(T.Any) },
        { ALT: () => this.CONSUME(T.All) },
      ],
    });
  });

  public setExpr = this.RULE("setExpr", () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpr);
    });
  });

  public andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.And, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(T.Except, { LABEL: "op" }) },
      ]);
      this.SUBRULE2(this.unary);
    });
  });

  /** `not` is iterated, not recursive: `not not … x` of any length costs no stack. */
  public unary = this.RULE("unary", () => {
    this.MANY(() => this.CONSUME(T.Not));
    this.SUBRULE(this.postfix);
  });

  public postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.CONSUME(T.In);
      this.SUBRULE(this.namespaceScope);
    });
  });

  /** The operand of `in`. */
  public namespaceScope = this.RULE("namespaceScope", () => {
    this.OR({
      ERR_MSG: "namespaces (`namespace NAME`, `namespace(LABELS)`, `namespaces(LABELS)` or `any namespace`)",
      DEF: [
        {
          ALT: () => {
            this.CONSUME(T.Namespace);
            this.SUBRULE(this.namespaceRest, { ARGS: [false] });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Namespaces);
            this.SUBRULE(this.selector);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Any);
            this.CONSUME2(T.Namespace);
          },
        },
      ],
    });
  });

  /**
   * What follows `namespace`: a name or a selector. After `any`, nothing more is needed
   * (`any namespace`), and a keyword ends the phrase: `any namespace to …` is not a namespace `to`.
   */
  public namespaceRest = this.RULE("namespaceRest", (afterAny?: boolean) => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      ERR_MSG: "a namespace name or `(`",
      DEF: [
        { ALT: () => this.SUBRULE(this.selector) },
        {
          GATE: () => !afterAny || tokenMatcher(this.LA(1), T.Identifier),
          ALT: () => this.CONSUME(T.Word, { LABEL: "name" }),
        },
        { GATE: () => afterAny === true, ALT: () => undefined },
      ],
    });
  });

  public primary = this.RULE("primary", () => {
    let afterAny = false;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Any, { LABEL: "domain" });
            this.ACTION(() => {
              afterAny = true;
            });
          },
        },
        { ALT: () => this.CONSUME(T.Existing, { LABEL: "domain" }) },
      ]);
    });
    this.SUBRULE(this.target, { ARGS: [afterAny] });
  });

  public target = this.RULE("target", (afterAny?: boolean) => {
    this.OR({
      ERR_MSG: SET_DESCRIPTION,
      DEF: [
        { ALT: () => this.SUBRULE(this.parenSet) },
        { ALT: () => this.SUBRULE(this.podSet) },
        { ALT: () => this.SUBRULE(this.namespaceSet, { ARGS: [afterAny] }) },
        { ALT: () => this.SUBRULE(this.objectRef) },
        { ALT: () => this.CONSUME(T.IPv4Like) },
        { ALT: () => this.CONSUME(T.IPv6Like) },
        { ALT: () => this.CONSUME(T.External) },
        { ALT: () => this.CONSUME(T.Everything) },
      ],
    });
  });

  public parenSet = this.RULE("parenSet", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.setExpr);
    this.CONSUME(T.RParen);
  });

  /** `pods`, `pods(LABELS)`, `pod`, `all pods`; `pod NS/NAME` is a workload (a Pod object). */
  public podSet = this.RULE("podSet", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Pods);
          this.OPTION(() => this.SUBRULE(this.selector));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Pod);
          this.OPTION2(() => this.CONSUME(T.Path));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.All);
          this.CONSUME2(T.Pods);
        },
      },
    ]);
  });

  public namespaceSet = this.RULE("namespaceSet", (afterAny?: boolean) => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Namespace);
          this.SUBRULE(this.namespaceRest, { ARGS: [afterAny] });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Namespaces);
          this.SUBRULE(this.selector);
        },
      },
    ]);
  });

  /** `workload NS/NAME`, `deployment NS/NAME` (any workload kind), `service NS/NAME`, bare `NS/NAME`. */
  public objectRef = this.RULE("objectRef", () => {
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Workload, { LABEL: "prefix" }) },
        { ALT: () => this.CONSUME(T.WorkloadKind, { LABEL: "prefix" }) },
        { ALT: () => this.CONSUME(T.Service, { LABEL: "prefix" }) },
      ]);
    });
    this.CONSUME(T.Path);
  });

  public selector = this.RULE("selector", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.requirement);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.requirement);
    });
    this.CONSUME(T.RParen);
  });

  public requirement = this.RULE("requirement", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Bang);
          this.CONSUME(T.Word, { LABEL: "key" });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.Word, { LABEL: "key" });
          this.OPTION(() => {
            this.OR2([
              { ALT: () => this.SUBRULE(this.equality) },
              { ALT: () => this.SUBRULE(this.membership) },
            ]);
          });
        },
      },
    ]);
  });

  /** `=`, `==` or `!=`, then a value that may be empty (`k=`). */
  public equality = this.RULE("equality", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Eq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.EqEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.NotEq, { LABEL: "op" }) },
    ]);
    this.OPTION(() => this.SUBRULE(this.labelValue));
  });

  public membership = this.RULE("membership", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.In, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.NotIn, { LABEL: "op" }) },
    ]);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.labelValue);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.labelValue);
    });
    this.CONSUME(T.RParen);
  });

  public labelValue = this.RULE("labelValue", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Word) }, { ALT: () => this.CONSUME(T.StringLit) }]);
  });
}

/** Built once: chevrotain's self-analysis is the expensive part. */
let parser: GuaranteeParser | undefined;

/**
 * The parser, built on first use: building it (chevrotain's grammar analysis) takes a noticeable
 * part of a second, which commands that never read guarantees should not pay at start-up.
 */
export function guaranteeParser(): GuaranteeParser {
  parser ??= new GuaranteeParser();
  return parser;
}
