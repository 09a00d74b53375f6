// SPDX-License-Identifier: Apache-2.0
/*
 * netpolc tc (clsact) program, map layout 1 (docs/ebpf.md).
 *
 * Enforces exactly the maps netpolc emits (src/emit/ebpf): NetworkPolicy (and cluster-policy tiers,
 * already folded into the model's answer) on the first packet of each connection, Service
 * translation (DNAT to a backend chosen by hash, reverse translation of replies), and a small LRU
 * conntrack so that replies and later packets of an allowed connection pass.
 *
 * Attach points (all on the node side):
 *   from_pod    tc ingress of a pod's host-side veth: packets leaving the pod
 *   to_pod      tc egress of a pod's host-side veth: packets entering the pod
 *   from_netdev tc ingress of the node's uplink: Service translation for outside clients
 *   to_netdev   tc egress of the node's uplink: reverse translation of replies leaving the node
 *
 * A reply's source is given back (frontend instead of backend) only after routing, in to_pod or
 * to_netdev: before routing, a frontend that is one of the node's own addresses (a NodePort) would
 * make the node drop the reply as a martian.
 *
 * Only TCP, UDP and SCTP are policed (NetworkPolicy defines nothing else): other IP protocols
 * (ICMP, ICMPv6 neighbour discovery) and non-IP frames (ARP) pass untouched. Non-first fragments
 * are dropped (no fragment tracking).
 *
 * Build: clang -O2 -g -target bpf -c netpolc.bpf.c -o netpolc.bpf.o
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <stddef.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define NP_V4 1
#define NP_V6 2

/* Reserved identities (docs/ebpf.md): 0 = unknown / any peer in policy keys. */
#define ID_ANY 0

#define IPCACHE_NODE 1      /* ipcache flag: an address of a node (NodePort frontends apply) */
#define EP_INGRESS 1        /* endpoint flag: ingress is enforced (the class is isolated) */
#define EP_EGRESS 2         /* endpoint flag: egress is enforced */
#define POLICY_DENY 1       /* policy value flag */
#define CT_ALLOWED 1        /* conntrack: policy allowed the connection */
#define CT_NAT 2            /* conntrack: the connection was translated; nat_* is the frontend */
#define CT_HAIRPIN 4        /* conntrack: a pod reached itself through a Service; client is the pod */
#define CT_REVNAT 8         /* conntrack: a hairpin reply (pod to itself): give it the frontend as source */

/*
 * Hairpin: a pod translated to itself is answered from this source address instead (as kube-proxy
 * masquerades it), since no stack accepts a packet from its own address. IPv4: Cilium's default
 * service loopback address; IPv6: an address of the discard-only prefix 100::/64 (RFC 6666). Both
 * are replaced before routing by the reply's reverse translation, so they never leave the node.
 */
#define HAIRPIN_V4 bpf_htonl(0xa9fe2a01) /* 169.254.42.1 */
#define HAIRPIN_V6_W0 bpf_htonl(0x01000000) /* 100::1 */
#define HAIRPIN_V6_W3 bpf_htonl(0x00000001)

#define POLICY_FULL_PREFIX 64 /* identity 32 + direction 8 + protocol 8 + port 16 */
#define IPCACHE_FULL_PREFIX 160 /* cluster 16 + pad 8 + family 8 + address 128 */

struct np_addr {
	__u32 w[4]; /* network byte order; IPv4 in w[0], w[1..3] zero */
};

struct ipcache_key {
	__u32 prefixlen; /* 32 + CIDR bits */
	__u16 cluster;   /* always 0 */
	__u8 pad;
	__u8 family;
	struct np_addr addr;
};
struct ipcache_value {
	__u32 identity;
	__u32 flags;
};

struct endpoint_key {
	struct np_addr addr;
	__u8 family;
	__u8 pad[3];
};
struct endpoint_value {
	__u32 identity;
	__u32 policy; /* index into np_policies */
	__u32 flags;
};

struct policy_key {
	__u32 prefixlen; /* 40 any protocol, 48 protocol, 48 + k port prefix, 64 exact */
	__u32 identity;  /* peer identity; 0 = any peer */
	__u8 egress;     /* 0 ingress, 1 egress */
	__u8 protocol;   /* IPPROTO_*; 0 = any */
	__be16 dport;
};
struct policy_value {
	__u8 flags;
	__u8 pad[3];
};

struct service_key {
	struct np_addr addr; /* all zero: a NodePort, on every node address */
	__be16 port;
	__u8 protocol;
	__u8 family;
};
struct service_value {
	__u32 base;  /* first backend slot */
	__u16 count; /* 0: no endpoints, drop */
	__u16 flags;
};

struct backend_value {
	struct np_addr addr;
	__be16 port;
	__u8 family;
	__u8 pad;
};

struct ct_key {
	struct np_addr saddr;
	struct np_addr daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 family;
	__u16 pad;
};
struct ct_value {
	__u32 flags;
	struct np_addr nat_addr; /* the frontend the client dialled */
	__be16 nat_port;
	__u16 pad;
	struct np_addr client; /* hairpin: the pod's own address (the source was replaced) */
};

_Static_assert(sizeof(struct ipcache_key) == 24, "ipcache key");
_Static_assert(sizeof(struct ipcache_value) == 8, "ipcache value");
_Static_assert(sizeof(struct endpoint_key) == 20, "endpoint key");
_Static_assert(sizeof(struct endpoint_value) == 12, "endpoint value");
_Static_assert(sizeof(struct policy_key) == 12, "policy key");
_Static_assert(sizeof(struct policy_value) == 4, "policy value");
_Static_assert(sizeof(struct service_key) == 20, "service key");
_Static_assert(sizeof(struct service_value) == 8, "service value");
_Static_assert(sizeof(struct backend_value) == 20, "backend value");
_Static_assert(sizeof(struct ct_key) == 40, "ct key");
_Static_assert(sizeof(struct ct_value) == 40, "ct value");

/*
 * The template of every per-endpoint policy map (bpftool creates the real ones). Sizes rather than
 * types: libbpf 1.1 cannot size struct types in an inner map definition.
 */
struct policy_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct policy_key));
	__uint(value_size, sizeof(struct policy_value));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__array(values, struct policy_inner);
} np_policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 512000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipcache_key);
	__type(value, struct ipcache_value);
} np_ipcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_value);
} np_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct service_key);
	__type(value, struct service_value);
} np_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct backend_value);
} np_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ct_key);
	__type(value, struct ct_value);
} np_ct SEC(".maps");

/* ---- parsing --------------------------------------------------------------------------------- */

struct pkt {
	struct np_addr saddr;
	struct np_addr daddr;
	__be16 sport;
	__be16 dport;
	__u32 l3_off;
	__u32 l4_off;
	__u8 family;
	__u8 proto;
};

enum verdict { V_PASS, V_DROP, V_POLICE };

static __always_inline int is_l4(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* V_POLICE when the packet is TCP/UDP/SCTP with its ports read; V_PASS for anything else. */
static __always_inline enum verdict parse(struct __sk_buff *skb, struct pkt *p)
{
	__be16 h_proto;
	__u32 off = ETH_HLEN;

	if (bpf_skb_load_bytes(skb, offsetof(struct ethhdr, h_proto), &h_proto, 2))
		return V_PASS;
	p->l3_off = off;
	if (h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
			return V_DROP;
		p->family = NP_V4;
		p->proto = ip.protocol;
		p->saddr.w[0] = ip.saddr;
		p->daddr.w[0] = ip.daddr;
		if (!is_l4(p->proto))
			return V_PASS;
		if (ip.ihl < 5 || (ip.frag_off & bpf_htons(0x1fff)))
			return V_DROP;
		off += ip.ihl * 4;
	} else if (h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		__u8 nh;
		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			return V_DROP;
		p->family = NP_V6;
		__builtin_memcpy(&p->saddr, &ip6.saddr, 16);
		__builtin_memcpy(&p->daddr, &ip6.daddr, 16);
		nh = ip6.nexthdr;
		off += sizeof(ip6);
#pragma unroll
		for (int i = 0; i < 4; i++) {
			__u8 h[4];
			if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS &&
			    nh != IPPROTO_FRAGMENT && nh != IPPROTO_AH)
				break;
			if (bpf_skb_load_bytes(skb, off, h, 4))
				return V_DROP;
			if (nh == IPPROTO_FRAGMENT) {
				/* fragment offset: the 13 high bits of bytes 2..3 */
				if ((h[2] << 5) | (h[3] >> 3))
					return V_DROP;
				off += 8;
			} else if (nh == IPPROTO_AH) {
				off += (h[1] + 2) * 4;
			} else {
				off += (h[1] + 1) * 8;
			}
			nh = h[0];
		}
		p->proto = nh;
		if (!is_l4(nh))
			return V_PASS;
	} else {
		return V_PASS;
	}
	p->l4_off = off;
	if (bpf_skb_load_bytes(skb, off, &p->sport, 2) || bpf_skb_load_bytes(skb, off + 2, &p->dport, 2))
		return V_DROP;
	return V_POLICE;
}

/* ---- rewriting ------------------------------------------------------------------------------- */

/*
 * Rewrites the destination (dst = 1) or the source (dst = 0) address and port, with the L3 and L4
 * checksums. SCTP's CRC32c is not recomputed: SCTP translation is only correct when the port stays.
 */
static __always_inline int rewrite(struct __sk_buff *skb, struct pkt *p, int dst, const struct np_addr *to,
				   __be16 to_port)
{
	struct np_addr addr = *to;
	struct np_addr old = dst ? p->daddr : p->saddr;
	__be16 old_port = dst ? p->dport : p->sport;
	__u32 csum_off = p->proto == IPPROTO_TCP ? 16 : p->proto == IPPROTO_UDP ? 6 : 0;
	__u64 mangled = p->proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	if (p->family == NP_V4) {
		__u32 aoff = p->l3_off + (dst ? offsetof(struct iphdr, daddr) : offsetof(struct iphdr, saddr));
		if (csum_off && bpf_l4_csum_replace(skb, p->l4_off + csum_off, old.w[0], addr.w[0],
						    BPF_F_PSEUDO_HDR | mangled | 4))
			return -1;
		if (bpf_l3_csum_replace(skb, p->l3_off + offsetof(struct iphdr, check), old.w[0], addr.w[0], 4))
			return -1;
		if (bpf_skb_store_bytes(skb, aoff, &addr.w[0], 4, 0))
			return -1;
	} else {
		__u32 aoff = p->l3_off + (dst ? offsetof(struct ipv6hdr, daddr) : offsetof(struct ipv6hdr, saddr));
		if (csum_off) {
			__s64 diff = bpf_csum_diff(old.w, 16, addr.w, 16, 0);
			if (bpf_l4_csum_replace(skb, p->l4_off + csum_off, 0, diff, BPF_F_PSEUDO_HDR | mangled))
				return -1;
		}
		if (bpf_skb_store_bytes(skb, aoff, &addr, 16, 0))
			return -1;
	}
	if (to_port != old_port) {
		if (csum_off && bpf_l4_csum_replace(skb, p->l4_off + csum_off, old_port, to_port, mangled | 2))
			return -1;
		if (bpf_skb_store_bytes(skb, p->l4_off + (dst ? 2 : 0), &to_port, 2, 0))
			return -1;
	}
	if (dst) {
		p->daddr = addr;
		p->dport = to_port;
	} else {
		p->saddr = addr;
		p->sport = to_port;
	}
	return 0;
}

/* ---- lookups --------------------------------------------------------------------------------- */

static __always_inline struct ipcache_value *ipcache(__u8 family, const struct np_addr *addr)
{
	struct ipcache_key k = {};
	k.prefixlen = IPCACHE_FULL_PREFIX;
	k.family = family;
	k.addr = *addr;
	return bpf_map_lookup_elem(&np_ipcache, &k);
}

/* An address missing from the ipcache is identity 0: only wildcard policy entries match it. */
static __always_inline __u32 identity_of(__u8 family, const struct np_addr *addr)
{
	struct ipcache_value *v = ipcache(family, addr);
	return v ? v->identity : ID_ANY;
}

static __always_inline struct endpoint_value *endpoint(__u8 family, const struct np_addr *addr)
{
	struct endpoint_key k = {};
	k.addr = *addr;
	k.family = family;
	return bpf_map_lookup_elem(&np_endpoints, &k);
}

/*
 * Lookup precedence: (1) the peer's identity with the full key (LPM: the longest port prefix wins),
 * (2) the same with identity 0 (any peer), (3) no entry: denied. A hit with the deny flag denies.
 */
static __always_inline int policy_allows(__u32 policy, __u32 peer, __u8 egress, const struct pkt *p)
{
	struct policy_key k = {};
	struct policy_value *v;
	void *map = bpf_map_lookup_elem(&np_policies, &policy);

	if (!map)
		return 0;
	k.prefixlen = POLICY_FULL_PREFIX;
	k.identity = peer;
	k.egress = egress;
	k.protocol = p->proto;
	k.dport = p->dport;
	v = bpf_map_lookup_elem(map, &k);
	if (!v) {
		k.identity = ID_ANY;
		v = bpf_map_lookup_elem(map, &k);
	}
	return v && !(v->flags & POLICY_DENY);
}

/* ---- conntrack ------------------------------------------------------------------------------- */

static __always_inline void ct_key(const struct pkt *p, int reverse, struct ct_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->saddr = reverse ? p->daddr : p->saddr;
	k->daddr = reverse ? p->saddr : p->daddr;
	k->sport = reverse ? p->dport : p->sport;
	k->dport = reverse ? p->sport : p->dport;
	k->protocol = p->proto;
	k->family = p->family;
}

/*
 * 1 when the packet answers an allowed connection (its reverse tuple is tracked), 0 otherwise, -1
 * on error. `routed`: after routing (to_pod, to_netdev), a translated connection's reply gets the
 * frontend back as its source. Before routing (from_pod), a hairpin reply gets the pod back as its
 * destination (its source is given back in to_pod, by the CT_REVNAT entry).
 */
static __always_inline int ct_reply(struct __sk_buff *skb, struct pkt *p, int routed)
{
	struct ct_key k;
	struct ct_value *v;

	ct_key(p, 1, &k);
	v = bpf_map_lookup_elem(&np_ct, &k);
	if (!v || !(v->flags & CT_ALLOWED))
		return 0;
	if (!routed && (v->flags & CT_HAIRPIN)) {
		struct np_addr c = v->client;
		if (rewrite(skb, p, 1, &c, p->dport))
			return -1;
	}
	if (routed && (v->flags & CT_NAT) && !(v->flags & CT_HAIRPIN)) {
		struct np_addr a = v->nat_addr;
		if (rewrite(skb, p, 0, &a, v->nat_port))
			return -1;
	}
	return 1;
}

/* A hairpin reply on its way into the pod: the frontend back as its source. 1 done, 0 not one. */
static __always_inline int ct_revnat(struct __sk_buff *skb, struct pkt *p)
{
	struct ct_key k;
	struct ct_value *v;
	struct np_addr a;

	ct_key(p, 0, &k);
	v = bpf_map_lookup_elem(&np_ct, &k);
	if (!v || !(v->flags & CT_REVNAT))
		return 0;
	a = v->nat_addr;
	if (rewrite(skb, p, 0, &a, v->nat_port))
		return -1;
	return 1;
}

/*
 * Records an allowed connection (post-translation tuple) and, when translated, the client's own
 * tuple (the frontend as destination). A hairpin also records how its replies look once from_pod
 * has given them the pod back as destination (pod to itself), for to_pod to give back the source.
 */
static __always_inline void ct_allow(const struct pkt *p, const struct ct_value *nat)
{
	struct ct_key k;
	struct ct_value v = *nat;

	v.flags |= CT_ALLOWED;
	ct_key(p, 0, &k);
	bpf_map_update_elem(&np_ct, &k, &v, BPF_ANY);
	if (v.flags & CT_NAT) {
		struct ct_value plain = {};
		plain.flags = CT_ALLOWED;
		k.daddr = v.nat_addr;
		k.dport = v.nat_port;
		if (v.flags & CT_HAIRPIN)
			k.saddr = v.client;
		bpf_map_update_elem(&np_ct, &k, &plain, BPF_ANY);
	}
	if (v.flags & CT_HAIRPIN) {
		struct ct_value rev = v;
		rev.flags = CT_REVNAT;
		ct_key(p, 1, &k);
		k.daddr = v.client;
		k.saddr = v.client;
		bpf_map_update_elem(&np_ct, &k, &rev, BPF_ANY);
	}
}

/* A connection translated back to its own source: answered from the hairpin address. */
static __always_inline int hairpin(struct __sk_buff *skb, struct pkt *p, struct ct_value *nat)
{
	struct np_addr h = {};

	if (p->daddr.w[0] != p->saddr.w[0] || p->daddr.w[1] != p->saddr.w[1] || p->daddr.w[2] != p->saddr.w[2] ||
	    p->daddr.w[3] != p->saddr.w[3])
		return 0;
	if (p->family == NP_V4) {
		h.w[0] = HAIRPIN_V4;
	} else {
		h.w[0] = HAIRPIN_V6_W0;
		h.w[3] = HAIRPIN_V6_W3;
	}
	nat->flags |= CT_HAIRPIN;
	nat->client = p->saddr;
	if (rewrite(skb, p, 0, &h, p->sport))
		return -1;
	return 1;
}

/* ---- Services -------------------------------------------------------------------------------- */

/*
 * DNAT to a backend chosen by the flow hash (stable for the packets of one connection). Frontends:
 * the exact address, then NodePorts (address zero) when the ipcache flags the destination as a
 * node's address. (Not "any local address" as kube-proxy: bpf_fib_lookup, which could tell, is
 * GPL-only, and this program is Apache-2.0 like the rest of netpolc.)
 * 1 translated (nat filled in), 0 no Service, -1 drop (no endpoints, error).
 */
static __always_inline int service_dnat(struct __sk_buff *skb, struct pkt *p, struct ct_value *nat)
{
	struct service_key k = {};
	struct service_value *s;
	struct backend_value *b;
	struct np_addr to;
	__u32 slot;

	k.addr = p->daddr;
	k.port = p->dport;
	k.protocol = p->proto;
	k.family = p->family;
	s = bpf_map_lookup_elem(&np_services, &k);
	if (!s) {
		struct ipcache_value *ic = ipcache(p->family, &p->daddr);
		if (!ic || !(ic->flags & IPCACHE_NODE))
			return 0;
		__builtin_memset(&k.addr, 0, sizeof(k.addr));
		s = bpf_map_lookup_elem(&np_services, &k);
		if (!s)
			return 0;
	}
	if (s->count == 0)
		return -1;
	slot = s->base + bpf_get_hash_recalc(skb) % s->count;
	b = bpf_map_lookup_elem(&np_backends, &slot);
	if (!b || b->family != p->family)
		return -1;
	nat->flags = CT_NAT;
	nat->nat_addr = p->daddr;
	nat->nat_port = p->dport;
	to = b->addr;
	if (rewrite(skb, p, 1, &to, b->port))
		return -1;
	return 1;
}

/* ---- programs -------------------------------------------------------------------------------- */

/* Packets leaving a pod: replies, Service translation, egress (and a local destination's ingress). */
SEC("tc")
int from_pod(struct __sk_buff *skb)
{
	struct pkt p = {};
	struct ct_value nat = {};
	struct ct_key k;
	struct ct_value *tracked;
	struct endpoint_value *src, *dst;
	int r;

	r = parse(skb, &p);
	if (r != V_POLICE)
		return r == V_PASS ? TC_ACT_OK : TC_ACT_SHOT;
	// 1. Replies of allowed connections.
	r = ct_reply(skb, &p, 0);
	if (r)
		return r > 0 ? TC_ACT_OK : TC_ACT_SHOT;
	// 2. The source must be a configured endpoint.
	src = endpoint(p.family, &p.saddr);
	if (!src)
		return TC_ACT_SHOT;
	// 3. Services: policy sees the translated packet. A pod reaching itself is always allowed.
	r = service_dnat(skb, &p, &nat);
	if (r < 0)
		return TC_ACT_SHOT;
	if (r > 0) {
		r = hairpin(skb, &p, &nat);
		if (r < 0)
			return TC_ACT_SHOT;
		if (r > 0) {
			ct_allow(&p, &nat);
			return TC_ACT_OK;
		}
	}
	// 4. Later packets of an allowed connection.
	ct_key(&p, 0, &k);
	tracked = bpf_map_lookup_elem(&np_ct, &k);
	if (tracked && (tracked->flags & CT_ALLOWED))
		return TC_ACT_OK;
	// 5. First packet: egress in the source's map, ingress in a local destination's map.
	if ((src->flags & EP_EGRESS) && !policy_allows(src->policy, identity_of(p.family, &p.daddr), 1, &p))
		return TC_ACT_SHOT;
	dst = endpoint(p.family, &p.daddr);
	if (dst && (dst->flags & EP_INGRESS) && !policy_allows(dst->policy, src->identity, 0, &p))
		return TC_ACT_SHOT;
	ct_allow(&p, &nat);
	return TC_ACT_OK;
}

/* Packets entering a pod: replies, then what does not come from a local pod (decided in from_pod). */
SEC("tc")
int to_pod(struct __sk_buff *skb)
{
	struct pkt p = {};
	struct ct_value nat = {};
	struct ct_key k;
	struct ct_value *tracked;
	struct endpoint_value *dst;
	int r;

	r = parse(skb, &p);
	if (r != V_POLICE)
		return r == V_PASS ? TC_ACT_OK : TC_ACT_SHOT;
	// 1. Replies (with their frontend given back), hairpin replies included.
	r = ct_revnat(skb, &p);
	if (!r)
		r = ct_reply(skb, &p, 1);
	if (r)
		return r > 0 ? TC_ACT_OK : TC_ACT_SHOT;
	// 2. Local pods' packets were decided when they left their pod.
	if (endpoint(p.family, &p.saddr))
		return TC_ACT_OK;
	// 3. Later packets of an allowed connection; a connection from_netdev translated.
	dst = endpoint(p.family, &p.daddr);
	if (!dst)
		return TC_ACT_SHOT;
	ct_key(&p, 0, &k);
	tracked = bpf_map_lookup_elem(&np_ct, &k);
	if (tracked) {
		if (tracked->flags & CT_ALLOWED)
			return TC_ACT_OK;
		nat = *tracked;
	}
	// 4. First packet: ingress in the destination's map.
	if ((dst->flags & EP_INGRESS) && !policy_allows(dst->policy, identity_of(p.family, &p.saddr), 0, &p))
		return TC_ACT_SHOT;
	ct_allow(&p, &nat);
	return TC_ACT_OK;
}

/* Packets entering the node from outside: Service translation only (to_pod polices them). */
SEC("tc")
int from_netdev(struct __sk_buff *skb)
{
	struct pkt p = {};
	struct ct_value nat = {};
	struct ct_key k;
	int r;

	r = parse(skb, &p);
	if (r != V_POLICE)
		return r == V_PASS ? TC_ACT_OK : TC_ACT_SHOT;
	r = service_dnat(skb, &p, &nat);
	if (r < 0)
		return TC_ACT_SHOT;
	if (r > 0) {
		ct_key(&p, 0, &k);
		bpf_map_update_elem(&np_ct, &k, &nat, BPF_NOEXIST);
	}
	return TC_ACT_OK;
}

/* Packets leaving the node: replies of translated connections get their frontend back. */
SEC("tc")
int to_netdev(struct __sk_buff *skb)
{
	struct pkt p = {};

	if (parse(skb, &p) != V_POLICE)
		return TC_ACT_OK;
	return ct_reply(skb, &p, 1) < 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Apache-2.0";
