// Generated from grammar.ts by chevrotain's generateCstDts; do not edit. Regenerate with
// UPDATE_GOLDEN=1 npx vitest run test/parser/guarantees/cst-types.test.ts
// biome-ignore-all format: generated
// biome-ignore-all lint: generated
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface StatementInputCstNode extends CstNode {
  name: "statementInput";
  children: StatementInputCstChildren;
}

export type StatementInputCstChildren = {
  statement: StatementCstNode[];
  NextStatement?: IToken[];
  EOF?: IToken[];
};

export interface ClaimInputCstNode extends CstNode {
  name: "claimInput";
  children: ClaimInputCstChildren;
}

export type ClaimInputCstChildren = {
  claim: ClaimCstNode[];
  EOF: IToken[];
};

export interface SetInputCstNode extends CstNode {
  name: "setInput";
  children: SetInputCstChildren;
}

export type SetInputCstChildren = {
  setExpr: SetExprCstNode[];
  EOF: IToken[];
};

export interface PortsInputCstNode extends CstNode {
  name: "portsInput";
  children: PortsInputCstChildren;
}

export type PortsInputCstChildren = {
  portList: PortListCstNode[];
  EOF: IToken[];
};

export interface StatementCstNode extends CstNode {
  name: "statement";
  children: StatementCstChildren;
}

export type StatementCstChildren = {
  Guarantee: IToken[];
  name: IToken[];
  Colon: IToken[];
  claim: ClaimCstNode[];
};

export interface ClaimCstNode extends CstNode {
  name: "claim";
  children: ClaimCstChildren;
}

export type ClaimCstChildren = {
  reachClaim?: ReachClaimCstNode[];
  isolatedClaim?: IsolatedClaimCstNode[];
  withinClaim?: WithinClaimCstNode[];
};

export interface ReachClaimCstNode extends CstNode {
  name: "reachClaim";
  children: ReachClaimCstChildren;
}

export type ReachClaimCstChildren = {
  verdict?: (IToken)[];
  From: IToken[];
  from: SetExprCstNode[];
  To: IToken[];
  to: SetExprCstNode[];
  On?: IToken[];
  portList?: PortListCstNode[];
};

export interface IsolatedClaimCstNode extends CstNode {
  name: "isolatedClaim";
  children: IsolatedClaimCstChildren;
}

export type IsolatedClaimCstChildren = {
  Isolated: IToken[];
  direction?: (IToken)[];
  For?: IToken[];
  setExpr: SetExprCstNode[];
};

export interface WithinClaimCstNode extends CstNode {
  name: "withinClaim";
  children: WithinClaimCstChildren;
}

export type WithinClaimCstChildren = {
  direction?: (IToken)[];
  Of: IToken[];
  setExpr: SetExprCstNode[];
  Within: IToken[];
  LBrace: IToken[];
  withinEntry: (WithinEntryCstNode)[];
  Comma?: IToken[];
  RBrace: IToken[];
};

export interface WithinEntryCstNode extends CstNode {
  name: "withinEntry";
  children: WithinEntryCstChildren;
}

export type WithinEntryCstChildren = {
  setExpr: SetExprCstNode[];
  On?: IToken[];
  portList?: PortListCstNode[];
};

export interface PortListCstNode extends CstNode {
  name: "portList";
  children: PortListCstChildren;
}

export type PortListCstChildren = {
  portSpec: (PortSpecCstNode)[];
  Comma?: IToken[];
};

export interface PortSpecCstNode extends CstNode {
  name: "portSpec";
  children: PortSpecCstChildren;
}

export type PortSpecCstChildren = {
  Protocol?: IToken[];
  ProtoPort?: IToken[];
  Any?: IToken[];
  All?: IToken[];
};

export interface SetExprCstNode extends CstNode {
  name: "setExpr";
  children: SetExprCstChildren;
}

export type SetExprCstChildren = {
  andExpr: (AndExprCstNode)[];
  Or?: IToken[];
};

export interface AndExprCstNode extends CstNode {
  name: "andExpr";
  children: AndExprCstChildren;
}

export type AndExprCstChildren = {
  unary: (UnaryCstNode)[];
  op?: (IToken)[];
};

export interface UnaryCstNode extends CstNode {
  name: "unary";
  children: UnaryCstChildren;
}

export type UnaryCstChildren = {
  Not?: IToken[];
  postfix: PostfixCstNode[];
};

export interface PostfixCstNode extends CstNode {
  name: "postfix";
  children: PostfixCstChildren;
}

export type PostfixCstChildren = {
  primary: PrimaryCstNode[];
  In?: IToken[];
  namespaceScope?: NamespaceScopeCstNode[];
};

export interface NamespaceScopeCstNode extends CstNode {
  name: "namespaceScope";
  children: NamespaceScopeCstChildren;
}

export type NamespaceScopeCstChildren = {
  Namespace?: (IToken)[];
  namespaceRest?: NamespaceRestCstNode[];
  Namespaces?: IToken[];
  selector?: SelectorCstNode[];
  Any?: IToken[];
};

export interface NamespaceRestCstNode extends CstNode {
  name: "namespaceRest";
  children: NamespaceRestCstChildren;
}

export type NamespaceRestCstChildren = {
  selector?: SelectorCstNode[];
  name?: IToken[];
};

export interface PrimaryCstNode extends CstNode {
  name: "primary";
  children: PrimaryCstChildren;
}

export type PrimaryCstChildren = {
  domain?: (IToken)[];
  target: TargetCstNode[];
};

export interface TargetCstNode extends CstNode {
  name: "target";
  children: TargetCstChildren;
}

export type TargetCstChildren = {
  parenSet?: ParenSetCstNode[];
  podSet?: PodSetCstNode[];
  namespaceSet?: NamespaceSetCstNode[];
  objectRef?: ObjectRefCstNode[];
  IPv4Like?: IToken[];
  IPv6Like?: IToken[];
  External?: IToken[];
  Everything?: IToken[];
};

export interface ParenSetCstNode extends CstNode {
  name: "parenSet";
  children: ParenSetCstChildren;
}

export type ParenSetCstChildren = {
  LParen: IToken[];
  setExpr: SetExprCstNode[];
  RParen: IToken[];
};

export interface PodSetCstNode extends CstNode {
  name: "podSet";
  children: PodSetCstChildren;
}

export type PodSetCstChildren = {
  Pods?: (IToken)[];
  selector?: SelectorCstNode[];
  Pod?: IToken[];
  Path?: IToken[];
  All?: IToken[];
};

export interface NamespaceSetCstNode extends CstNode {
  name: "namespaceSet";
  children: NamespaceSetCstChildren;
}

export type NamespaceSetCstChildren = {
  Namespace?: IToken[];
  namespaceRest?: NamespaceRestCstNode[];
  Namespaces?: IToken[];
  selector?: SelectorCstNode[];
};

export interface ObjectRefCstNode extends CstNode {
  name: "objectRef";
  children: ObjectRefCstChildren;
}

export type ObjectRefCstChildren = {
  prefix?: (IToken)[];
  Path: IToken[];
};

export interface SelectorCstNode extends CstNode {
  name: "selector";
  children: SelectorCstChildren;
}

export type SelectorCstChildren = {
  LParen: IToken[];
  requirement: (RequirementCstNode)[];
  Comma?: IToken[];
  RParen: IToken[];
};

export interface RequirementCstNode extends CstNode {
  name: "requirement";
  children: RequirementCstChildren;
}

export type RequirementCstChildren = {
  Bang?: IToken[];
  key?: (IToken)[];
  equality?: EqualityCstNode[];
  membership?: MembershipCstNode[];
};

export interface EqualityCstNode extends CstNode {
  name: "equality";
  children: EqualityCstChildren;
}

export type EqualityCstChildren = {
  op?: (IToken)[];
  labelValue?: LabelValueCstNode[];
};

export interface MembershipCstNode extends CstNode {
  name: "membership";
  children: MembershipCstChildren;
}

export type MembershipCstChildren = {
  op?: (IToken)[];
  LParen: IToken[];
  labelValue: (LabelValueCstNode)[];
  Comma?: IToken[];
  RParen: IToken[];
};

export interface LabelValueCstNode extends CstNode {
  name: "labelValue";
  children: LabelValueCstChildren;
}

export type LabelValueCstChildren = {
  Word?: IToken[];
  StringLit?: IToken[];
};
