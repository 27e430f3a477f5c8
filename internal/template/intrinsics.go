package template

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
)

// evalText evaluates n and requires a scalar result.
func (ev *evaluator) evalText(n *Node) (string, bool, error) {
	v, err := ev.eval(n)
	if err != nil {
		return "", false, err
	}
	if v == noValue {
		return "", false, nil
	}
	s, ok := toText(v)
	return s, ok, nil
}

// evalList evaluates n and requires a list result.
func (ev *evaluator) evalList(n *Node) ([]any, bool, error) {
	v, err := ev.eval(n)
	if err != nil {
		return nil, false, err
	}
	l, ok := v.([]any)
	return l, ok, nil
}

// join implements Fn::Join [delimiter, list]; the delimiter is a literal.
func (ev *evaluator) join(n, arg *Node) (any, error) {
	if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 2 || !arg.Items[0].IsScalar() {
		return nil, ev.errf(n, msgJoinShape)
	}
	delim, _ := arg.Items[0].Text()
	list, ok, err := ev.evalList(arg.Items[1])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ev.errf(n, msgJoinShape)
	}
	parts := make([]string, 0, len(list))
	for _, it := range list {
		s, ok := toText(it)
		if it == nil {
			s, ok = "", true
		}
		if !ok {
			return nil, ev.errf(n, msgJoinShape)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, delim), nil
}

// selectFn implements Fn::Select [index, list].
func (ev *evaluator) selectFn(n, arg *Node) (any, error) {
	if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 2 {
		return nil, ev.errf(n, msgSelectShape)
	}
	is, ok, err := ev.evalText(arg.Items[0])
	if err != nil {
		return nil, err
	}
	idx, aerr := strconv.Atoi(strings.TrimSpace(is))
	if !ok || aerr != nil {
		return nil, ev.errf(n, msgSelectShape)
	}
	list, ok, err := ev.evalList(arg.Items[1])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ev.errf(n, msgSelectShape)
	}
	if idx < 0 || idx >= len(list) {
		return nil, ev.errf(n, msgSelectRange, idx)
	}
	return list[idx], nil
}

// split implements Fn::Split [delimiter, string]; consecutive delimiters
// give empty strings (spec §1.4).
func (ev *evaluator) split(n, arg *Node) (any, error) {
	if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 2 || !arg.Items[0].IsScalar() {
		return nil, ev.errf(n, msgSplitShape)
	}
	delim, _ := arg.Items[0].Text()
	s, ok, err := ev.evalText(arg.Items[1])
	if err != nil {
		return nil, err
	}
	if !ok || delim == "" {
		return nil, ev.errf(n, msgSplitShape)
	}
	parts := strings.Split(s, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// findInMapArgs checks Fn::FindInMap's shape: three keys and an optional
// {DefaultValue: v} (AWS::LanguageExtensions, now accepted without it).
func findInMapArgs(arg *Node) (keys []*Node, def *Node, ok bool) {
	if arg == nil || arg.Kind != KindSeq || (len(arg.Items) != 3 && len(arg.Items) != 4) {
		return nil, nil, false
	}
	if len(arg.Items) == 4 {
		d := arg.Items[3]
		if d.Kind != KindMap || len(d.Pairs) != 1 || d.Pairs[0].Key != "DefaultValue" {
			return nil, nil, false
		}
		def = d.Pairs[0].Value
	}
	return arg.Items[:3], def, true
}

// findInMap implements Fn::FindInMap [Map, TopKey, SecondKey(, {DefaultValue})].
func (ev *evaluator) findInMap(n, arg *Node) (any, error) {
	keys, def, ok := findInMapArgs(arg)
	if !ok {
		return nil, ev.errf(n, msgFindInMapShape)
	}
	var k [3]string
	for i, kn := range keys {
		s, ok, err := ev.evalText(kn)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ev.errf(n, msgFindInMapShape)
		}
		k[i] = s
	}
	var mappings *Node
	if t := ev.t(); t != nil {
		mappings = t.Mappings
	}
	v := mappings.Get(k[0]).Get(k[1]).Get(k[2])
	if v == nil {
		if def != nil {
			return ev.eval(def)
		}
		return nil, ev.errf(n, msgFindInMapMiss, k[0], k[1], k[2])
	}
	// Mappings hold literals only (spec §1.4); reading the value as data
	// also means a mapping cannot send evaluation round in circles.
	return literal(v), nil
}

// literal converts a node to plain values without evaluating anything.
func literal(n *Node) any {
	switch n.Kind {
	case KindMap:
		m := &omap{keys: make([]string, 0, len(n.Pairs)), vals: make(map[string]any, len(n.Pairs))}
		for _, p := range n.Pairs {
			m.set(p.Key, literal(p.Value))
		}
		return m
	case KindSeq:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = literal(it)
		}
		return out
	case KindString:
		return n.Value
	case KindNumber:
		if isJSONNumber(n.Value) {
			return json.Number(n.Value)
		}
		return n.Value
	case KindBool:
		return strings.EqualFold(n.Value, "true")
	}
	return nil
}

// base64 implements Fn::Base64: standard encoding, with padding, of the
// UTF-8 string.
func (ev *evaluator) base64(n, arg *Node) (any, error) {
	s, ok, err := ev.evalText(arg)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ev.errf(n, msgBase64Shape)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// getAZs implements Fn::GetAZs: cloudlet's regions have three zones,
// <region>a to <region>c (spec §1.4); "" means the stack's region.
func (ev *evaluator) getAZs(n, arg *Node) (any, error) {
	region := ""
	if arg != nil && arg.Kind != KindNull {
		s, ok, err := ev.evalText(arg)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ev.errf(n, msgGetAZsShape)
		}
		region = s
	}
	if region == "" {
		region = ev.scope.Region
	}
	if region == "" {
		return []any{}, nil
	}
	return []any{region + "a", region + "b", region + "c"}, nil
}

// cidr implements Fn::Cidr [ipBlock, count, cidrBits]: count consecutive
// subnets with cidrBits host bits each, from the start of the block.
func (ev *evaluator) cidr(n, arg *Node) (any, error) {
	if arg == nil || arg.Kind != KindSeq || len(arg.Items) != 3 {
		return nil, ev.errf(n, msgCidrShape)
	}
	var s [3]string
	for i, it := range arg.Items {
		v, ok, err := ev.evalText(it)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ev.errf(n, msgCidrShape)
		}
		s[i] = strings.TrimSpace(v)
	}
	block, err := netip.ParsePrefix(s[0])
	count, cerr := strconv.Atoi(s[1])
	bits, berr := strconv.Atoi(s[2])
	if err != nil || cerr != nil || berr != nil || count < 1 || count > 256 {
		return nil, ev.errf(n, msgCidrShape)
	}
	total := block.Addr().BitLen()
	prefix := total - bits
	if bits < 1 || prefix < block.Bits() {
		return nil, ev.errf(n, msgCidrShape)
	}
	// count subnets must fit in the block: count ≤ 2^(prefix-blockBits).
	if room := prefix - block.Bits(); room < 9 && count > 1<<room {
		return nil, ev.errf(n, msgCidrSpace, count, prefix, block.Masked().String())
	}
	start := new(big.Int).SetBytes(block.Masked().Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	out := make([]any, 0, count)
	buf := make([]byte, total/8)
	for i := 0; i < count; i++ {
		a := new(big.Int).Add(start, new(big.Int).Mul(step, big.NewInt(int64(i))))
		a.FillBytes(buf)
		addr, _ := netip.AddrFromSlice(buf)
		out = append(out, netip.PrefixFrom(addr, prefix).String())
	}
	return out, nil
}

// importValue implements Fn::ImportValue through the scope's ImportValue.
func (ev *evaluator) importValue(n, arg *Node) (any, error) {
	name, ok, err := ev.evalText(arg)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ev.errf(n, msgImportShape)
	}
	if ev.scope.ImportValue == nil {
		return nil, ev.errf(n, msgNoExport, name)
	}
	v, err := ev.scope.ImportValue(name)
	if err != nil {
		return nil, ev.wrap(n, err)
	}
	return v, nil
}

// toJSONString implements Fn::ToJsonString: compact JSON of a map or list,
// keys in template order.
func (ev *evaluator) toJSONString(n, arg *Node) (any, error) {
	v, err := ev.eval(arg)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case *omap, []any, map[string]any:
	default:
		return nil, ev.errf(n, msgToJSONShape)
	}
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		return nil, ev.wrap(n, err)
	}
	return b.String(), nil
}

// length implements Fn::Length: the number of items of a list.
func (ev *evaluator) length(n, arg *Node) (any, error) {
	l, ok, err := ev.evalList(arg)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ev.errf(n, msgLengthShape)
	}
	return json.Number(strconv.Itoa(len(l))), nil
}
