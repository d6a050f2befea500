package jsonstream

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// LineIndex knows the line on which each resource of a document starts:
// every object in an array that has a string "id".
type LineIndex struct {
	paths  map[string]string         // resource type -> path pattern
	byPath map[string]map[string]int // path pattern -> id -> line
	byID   map[string]int            // id -> first line, for resource types of users' own policies
	single map[string]bool           // paths of resources that are not array elements
}

// Line is the line (1-based) where the resource of that type and id starts,
// or 1, the document's first line, when it is not in the file.
func (x *LineIndex) Line(resourceType, id string) int {
	if p, ok := x.paths[resourceType]; ok {
		if l, ok := x.byPath[p][id]; ok {
			return l
		}
	}
	if l, ok := x.byID[id]; ok {
		return l
	}
	return 1
}

// IndexLines reads a document and records where each resource starts.
// paths says where each resource type lives, as a JSON pointer with * for
// array indexes ("/projects/*/api_keys/*"). It is one pass of jsontext's
// tokens; the lines come from the newlines the reader saw before each
// object's offset.
func IndexLines(r io.Reader, paths map[string]string) (*LineIndex, error) {
	r, _, err := skipBOM(r, "inventory") // a BOM is on line 1 and holds no newline
	if err != nil {
		return nil, fmt.Errorf("index inventory lines: %w", err)
	}
	nl := &newlines{r: r}
	x := &LineIndex{paths: paths, byPath: map[string]map[string]int{}, byID: map[string]int{}, single: map[string]bool{}}
	for _, p := range paths {
		if !strings.HasSuffix(p, "/*") {
			x.single[p] = true
		}
	}
	if err := scanLines(jsontext.NewDecoder(nl, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)), nl, x); err != nil {
		return nil, fmt.Errorf("index inventory lines: %w", err)
	}
	return x, nil
}

// newlines passes a reader through and records the offset of every
// newline in it.
type newlines struct {
	r   io.Reader
	off int64
	at  []int64
}

func (n *newlines) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	for i := 0; i < k; {
		j := bytes.IndexByte(p[i:k], '\n')
		if j < 0 {
			break
		}
		n.at = append(n.at, n.off+int64(i+j))
		i += j + 1
	}
	n.off += int64(k)
	return k, err
}

// line is the 1-based line of a byte offset the reader has passed.
func (n *newlines) line(off int64) int {
	return sort.Search(len(n.at), func(i int) bool { return n.at[i] >= off }) + 1
}

type frame struct {
	array bool
	path  string // pointer pattern of this container
	child string // array: the pattern of its elements
	key   string // object: the member being read
	start int64  // where the container opened
	id    string // object: its "id", when a string
}

func scanLines(dec *jsontext.Decoder, nl *newlines, x *LineIndex) error {
	var stack []*frame
	memberPaths := map[[2]string]string{}
	top := func() *frame {
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1]
	}
	for {
		// An object's next token is a name when it has read an even number
		// of tokens.
		_, n := dec.StackIndex(dec.StackDepth())
		parent := top()
		wantName := parent != nil && !parent.array && n%2 == 0
		tok, err := dec.ReadToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch k := tok.Kind(); k {
		case '{', '[':
			path := ""
			if parent != nil {
				if parent.array {
					path = parent.child
				} else {
					mk := [2]string{parent.path, parent.key}
					if path = memberPaths[mk]; path == "" {
						path = parent.path + "/" + EscapeToken(parent.key)
						memberPaths[mk] = path
					}
				}
			}
			f := &frame{array: k == '[', path: path, start: dec.InputOffset() - 1}
			if f.array {
				f.child = path + "/*"
			}
			stack = append(stack, f)
		case '}', ']':
			stack = stack[:len(stack)-1]
			// An object with an id in an array, or at a path that is a
			// resource's own (the organization, a member of its own).
			if p := top(); k == '}' && parent.id != "" && p != nil && (p.array || x.single[parent.path]) {
				line := nl.line(parent.start)
				if x.byPath[parent.path] == nil {
					x.byPath[parent.path] = map[string]int{}
				}
				if _, dup := x.byPath[parent.path][parent.id]; !dup {
					x.byPath[parent.path][parent.id] = line
				}
				if _, dup := x.byID[parent.id]; !dup {
					x.byID[parent.id] = line
				}
			}
		case '"':
			switch {
			case wantName:
				parent.key = tok.String()
			case parent != nil && !parent.array && parent.key == "id":
				parent.id = tok.String()
			}
		}
	}
}
