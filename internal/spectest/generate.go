package spectest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Generator makes random list items the spec's schemas allow, from a seed:
// over many items, every enum value (each enum is walked in turn), both
// branches of every anyOf (so every nullable field is null some of the
// time), optional properties absent a third of the time, and an unknown
// extra field on a quarter of the objects. Required properties are always
// there. Item ids are unique.
type Generator struct {
	s     *Spec
	r     *rand.Rand
	next  int
	enums map[string]int
}

// NewGenerator makes a generator for the spec, from seed.
func (s *Spec) NewGenerator(seed uint64) *Generator {
	return &Generator{s: s, r: rand.New(rand.NewPCG(seed, 0x5eed)), enums: map[string]int{}}
}

// Items makes n items of GET path's list, each a JSON object with a
// unique id made of prefix and a counter.
func (g *Generator) Items(path, prefix string, n int) []json.RawMessage {
	item := g.s.itemSchema(path)
	out := make([]json.RawMessage, 0, n)
	for i := 0; i < n; i++ {
		v, _ := g.value(item, "", 0).(map[string]any)
		if v == nil {
			v = map[string]any{}
		}
		g.next++
		v["id"] = fmt.Sprintf("%s%06d", prefix, g.next)
		raw, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		out = append(out, raw)
	}
	return out
}

// Object makes one answer of GET path, for a route that answers an
// object (a setting) rather than a list.
func (g *Generator) Object(path string) json.RawMessage {
	v := g.value(g.s.itemSchema(path), "", 0)
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

// Intn is a random number in [0, n), from the generator's seed.
func (g *Generator) Intn(n int) int { return g.r.IntN(n) }

const maxDepth = 6

func (g *Generator) value(schema any, name string, depth int) any {
	m := g.s.resolve(schema)
	if m == nil {
		return g.str(name)
	}
	if enum, ok := m["enum"].([]any); ok && len(enum) > 0 {
		key := fmt.Sprint(enum)
		i := g.enums[key]
		g.enums[key] = i + 1
		return enum[i%len(enum)]
	}
	if anyOf, ok := m["anyOf"].([]any); ok && len(anyOf) > 0 {
		return g.value(anyOf[g.r.IntN(len(anyOf))], name, depth)
	}
	typ, _ := m["type"].(string)
	switch typ {
	case "null":
		return nil
	case "boolean":
		return g.r.IntN(2) == 0
	case "integer":
		if m["format"] == "unixtime" || strings.HasSuffix(name, "_at") {
			return 1_500_000_000 + g.r.Int64N(400_000_000)
		}
		return g.r.Int64N(1000)
	case "number":
		return float64(g.r.Int64N(100000)) / 100
	case "array":
		n := g.r.IntN(3)
		if depth >= maxDepth {
			n = 0
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			out = append(out, g.value(m["items"], name, depth+1))
		}
		return out
	case "object", "":
		props, _ := m["properties"].(map[string]any)
		if typ == "" && props == nil {
			return g.str(name)
		}
		out := map[string]any{}
		if depth >= maxDepth {
			return out
		}
		required := map[string]bool{}
		if req, ok := m["required"].([]any); ok {
			for _, r := range req {
				if s, ok := r.(string); ok {
					required[s] = true
				}
			}
		}
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names) // map order must not change what a seed makes
		for _, k := range names {
			if !required[k] && g.r.IntN(3) == 0 {
				continue
			}
			out[k] = g.value(props[k], k, depth+1)
		}
		if g.r.IntN(4) == 0 {
			out[fmt.Sprintf("x_unknown_%d", g.r.IntN(100))] = g.str("")
		}
		return out
	}
	return g.str(name)
}

func (g *Generator) str(name string) string {
	switch {
	case strings.Contains(name, "email"):
		return fmt.Sprintf("u%d@example.com", g.r.IntN(1000))
	case name == "id":
		return fmt.Sprintf("id_%d", g.r.IntN(1_000_000))
	}
	const letters = "abcdefghijklmnopqrstuvwxyz "
	b := make([]byte, 1+g.r.IntN(12))
	for i := range b {
		b[i] = letters[g.r.IntN(len(letters))]
	}
	return string(b)
}
