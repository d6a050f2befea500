package inventory

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// resourcePaths says where each resource type of the findings lives in the
// document, as a JSON pointer with * for array indexes.
var resourcePaths = map[string]string{
	"admin_api_key":   "/admin_api_keys/*",
	"project":         "/projects/*",
	"project_api_key": "/projects/*/api_keys/*",
	"service_account": "/projects/*/service_accounts/*",
	"project_user":    "/projects/*/users/*",
	"user":            "/users/*",
	"invite":          "/invites/*",
	"gpt":             "/gpts/*",
	"workspace_user":  "/workspace_users/*",
	"file":            "/files/*",
}

// LineIndex knows the line on which each resource of an inventory file
// starts: every object in an array that has a string "id".
type LineIndex struct {
	byPath map[string]map[string]int // path pattern -> id -> line
	byID   map[string]int            // id -> first line, for resource types of users' own policies
}

// Line is the line (1-based) where the resource of that type and id starts,
// or 1, the document's first line, when it is not in the file.
func (x *LineIndex) Line(resourceType, id string) int {
	if p, ok := resourcePaths[resourceType]; ok {
		if l, ok := x.byPath[p][id]; ok {
			return l
		}
	}
	if l, ok := x.byID[id]; ok {
		return l
	}
	return 1
}

// IndexLines reads an inventory document and records where each resource
// starts. It is a single pass over the bytes that tracks only nesting,
// strings and ids, so it stays cheap on a million-resource file.
func IndexLines(r io.Reader) (*LineIndex, error) {
	s := &lineScanner{r: bufio.NewReaderSize(r, 1<<16), line: 1}
	x := &LineIndex{byPath: map[string]map[string]int{}, byID: map[string]int{}}
	if err := s.scan(x); err != nil {
		return nil, fmt.Errorf("index inventory lines: %w", err)
	}
	return x, nil
}

type frame struct {
	array   bool
	path    string // pointer pattern of this container
	key     string // object: the member being read
	line    int    // where the container opened
	id      string // object: its "id", when a string
	wantKey bool   // object: the next string is a member name
}

type lineScanner struct {
	r     *bufio.Reader
	line  int
	stack []*frame
}

func (s *lineScanner) next() (byte, error) {
	b, err := s.r.ReadByte()
	if b == '\n' {
		s.line++
	}
	return b, err
}

func (s *lineScanner) scan(x *LineIndex) error {
	for {
		b, err := s.next()
		if err == io.EOF {
			if len(s.stack) != 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if err != nil {
			return err
		}
		top := s.top()
		switch b {
		case '{', '[':
			path := ""
			if top != nil {
				if top.array {
					path = top.path + "/*"
				} else {
					path = top.path + "/" + escapeToken(top.key)
				}
			}
			s.stack = append(s.stack, &frame{array: b == '[', path: path, line: s.line, wantKey: b == '{'})
		case '}', ']':
			if top == nil {
				return fmt.Errorf("line %d: unbalanced %q", s.line, b)
			}
			s.stack = s.stack[:len(s.stack)-1]
			if parent := s.top(); b == '}' && top.id != "" && parent != nil && parent.array {
				if x.byPath[top.path] == nil {
					x.byPath[top.path] = map[string]int{}
				}
				if _, dup := x.byPath[top.path][top.id]; !dup {
					x.byPath[top.path][top.id] = top.line
				}
				if _, dup := x.byID[top.id]; !dup {
					x.byID[top.id] = top.line
				}
			}
		case ',':
			if top != nil && !top.array {
				top.wantKey = true
			}
		case '"':
			str, err := s.str()
			if err != nil {
				return err
			}
			if top != nil && !top.array {
				if top.wantKey {
					top.key, top.wantKey = str, false
				} else if top.key == "id" {
					top.id = str
				}
			}
		}
	}
}

func (s *lineScanner) top() *frame {
	if len(s.stack) == 0 {
		return nil
	}
	return s.stack[len(s.stack)-1]
}

// str reads a string after its opening quote. Only ids and member names are
// kept, so escapes other than \" and \\ are kept as written.
func (s *lineScanner) str() (string, error) {
	var sb strings.Builder
	for {
		b, err := s.next()
		if err != nil {
			return "", io.ErrUnexpectedEOF
		}
		switch b {
		case '"':
			return sb.String(), nil
		case '\\':
			e, err := s.next()
			if err != nil {
				return "", io.ErrUnexpectedEOF
			}
			if e != '"' && e != '\\' && e != '/' {
				sb.WriteByte('\\')
			}
			sb.WriteByte(e)
		default:
			sb.WriteByte(b)
		}
	}
}
