package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
)

// StreamOptions tune Stream.
type StreamOptions struct {
	// Workers parse chunks of elements concurrently; 0 means one per CPU.
	// With 1, everything happens in the caller's goroutine, in document
	// order.
	Workers int
	// ChunkBytes is about how many bytes of elements go into one chunk;
	// 1 MiB when zero.
	ChunkBytes int
	// PendingBytes bounds the memory that holds elements read before the
	// header is complete (see Handler.Header); the rest wait in a
	// temporary file in TempDir (the system's when empty).
	// DefaultPendingBytes when zero.
	PendingBytes int
	TempDir      string
}

// Member is a top-level member of the document that is not a resource
// array, as encoding/json decodes it (numbers as json.Number).
type Member struct {
	Key   string
	Value any
}

// Handler receives a document from Stream.
type Handler[V any] struct {
	// Header gets the top-level members other than the resource arrays,
	// in document order, once every one the schema defines has been read
	// (or, in a document that lacks some, at its end: until then chunks
	// wait, so that no element is evaluated without a member that comes
	// later). It is called once, before any Elements.
	Header func(members []Member) error
	// Elements gets a run of consecutive elements of one resource array,
	// starting at index start, once each has validated. With several
	// workers it is called concurrently and in no particular order. Nothing
	// is delivered of a chunk that holds an invalid element.
	Elements func(key string, start int, vals []V) error
}

// Stream reads one inventory document from r and validates it as it goes,
// handing its parts to h. A splitter finds where each element of the
// resource arrays begins and ends; workers parse, validate and build
// chunks of elements in parallel with the schema-directed fast parser,
// asking the schema library about every element the fast parser is not
// certain of. Memory stays bounded by the chunks in flight, whatever the
// document's size.
//
// Errors are as Walk's: *SyntaxError, *ValidationError (every violation),
// or the handler's own error.
func Stream[V any](ctx context.Context, r io.Reader, name string, newBuilder func() Builder[V], h Handler[V], o StreamOptions) (err error) {
	v, err := schemaValidator()
	if err != nil {
		return err
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = 1 << 20
	}
	if o.PendingBytes <= 0 {
		o.PendingBytes = DefaultPendingBytes
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s := &splitter[V]{
		ctx: ctx, name: name, v: v, h: h, o: o, newBuilder: newBuilder,
		in: &byteReader{r: r}, verr: &ValidationError{File: name},
		skeleton: map[string]any{},
		spill:    &spill{dir: o.TempDir},
	}
	defer func() {
		if cerr := s.spill.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	s.start(cancel)
	err = s.document()
	s.finish(err)
	if err == nil {
		err = s.wait()
	} else {
		s.wait()
	}
	if err == nil {
		err = context.Cause(ctx)
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = ctx.Err()
		}
		if err != nil && s.firstErr() != nil {
			err = s.firstErr()
		}
	}
	if err != nil {
		return err
	}
	if s.verr.Total > 0 {
		return s.verr
	}
	return nil
}

// chunks recycles chunk buffers: once a worker has built its values, the
// raw bytes are no longer needed (strings were copied out of them).
var chunks = sync.Pool{New: func() any { return new(chunk) }}

func newChunk(key string, start, size int) *chunk {
	c := chunks.Get().(*chunk)
	c.key, c.start = key, start
	if cap(c.buf) < size+size/4 {
		c.buf = make([]byte, 0, size+size/4)
	}
	c.buf, c.ends, c.offset = c.buf[:0], c.ends[:0], c.offset[:0]
	return c
}

// chunk is a run of raw elements of one array.
type chunk struct {
	key    string
	start  int     // index of the first element
	buf    []byte  // the elements' bytes, back to back
	ends   []int   // end of each element in buf
	offset []int64 // where each element starts in the document
}

type splitter[V any] struct {
	ctx        context.Context
	name       string
	v          *validator
	h          Handler[V]
	o          StreamOptions
	newBuilder func() Builder[V]
	in         *byteReader

	mu       sync.Mutex
	verr     *ValidationError
	errOnce  error
	skeleton map[string]any
	members  []Member

	headerSent   bool
	pending      []*chunk // chunks read before the header was complete
	pendingBytes int
	spill        *spill // and those beyond o.PendingBytes
	work         chan *chunk
	wg           sync.WaitGroup
	inline       *worker[V]
	cancel       context.CancelCauseFunc
}

func (s *splitter[V]) start(cancel context.CancelCauseFunc) {
	s.cancel = cancel
	if s.o.Workers == 1 {
		s.inline = s.newWorker()
		return
	}
	s.work = make(chan *chunk, 2*s.o.Workers)
	for i := 0; i < s.o.Workers; i++ {
		w := s.newWorker()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for c := range s.work {
				if err := w.process(c); err != nil {
					s.fail(err)
				}
			}
		}()
	}
}

func (s *splitter[V]) fail(err error) {
	s.mu.Lock()
	if s.errOnce == nil {
		s.errOnce = err
	}
	s.mu.Unlock()
	s.cancel(err)
}

func (s *splitter[V]) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errOnce
}

// dispatch hands a chunk on, or keeps it until the header is complete.
func (s *splitter[V]) dispatch(c *chunk) error {
	if !s.headerSent {
		if s.spill.n > 0 || s.pendingBytes+len(c.buf) > s.o.PendingBytes {
			err := s.spill.write(c)
			chunks.Put(c)
			return err
		}
		s.pending = append(s.pending, c)
		s.pendingBytes += len(c.buf)
		return nil
	}
	if s.inline != nil {
		return s.inline.process(c)
	}
	select {
	case s.work <- c:
		return nil
	case <-s.ctx.Done():
		return context.Cause(s.ctx)
	}
}

// sendHeader calls Header and releases the chunks read before it.
func (s *splitter[V]) sendHeader() error {
	if s.headerSent {
		return nil
	}
	s.headerSent = true
	if s.h.Header != nil {
		if err := s.h.Header(s.members); err != nil {
			return err
		}
	}
	pending := s.pending
	s.pending, s.pendingBytes = nil, 0
	for _, c := range pending {
		if err := s.dispatch(c); err != nil {
			return err
		}
	}
	return s.spill.replay(s.dispatch)
}

// headerComplete reports whether every non-array member is in.
func (s *splitter[V]) headerComplete() bool {
	for _, k := range s.v.headerMembers {
		if _, ok := s.skeleton[k]; !ok {
			return false
		}
	}
	return true
}

func (s *splitter[V]) finish(err error) {
	if err == nil {
		err = s.sendHeader()
		if err != nil {
			s.fail(err)
		}
	}
	if s.work != nil {
		close(s.work)
	}
}

func (s *splitter[V]) wait() error {
	s.wg.Wait()
	return s.firstErr()
}

// document reads the top-level object.
func (s *splitter[V]) document() error {
	in := s.in
	if err := in.ws(); err != nil {
		return s.syntax(err)
	}
	c, err := in.peek()
	if err == io.EOF {
		return &SyntaxError{File: s.name, Msg: "empty input, want an inventory JSON object"}
	}
	if err != nil {
		return s.syntax(err)
	}
	if c != '{' {
		raw, err := in.value()
		if err != nil {
			return s.syntax(err)
		}
		s.mu.Lock()
		s.verr.add(Violation{Pointer: "", Message: fmt.Sprintf("got %s, want object", kindOf(raw))})
		s.mu.Unlock()
		return nil
	}
	in.pos++
	first := true
	for {
		if err := in.ws(); err != nil {
			return s.syntax(err)
		}
		c, err := in.peek()
		if err != nil {
			return s.syntax(err)
		}
		if c == '}' {
			in.pos++
			break
		}
		if !first {
			if c != ',' {
				return s.unexpected(c, "after object member")
			}
			in.pos++
			if err := in.ws(); err != nil {
				return s.syntax(err)
			}
		}
		first = false
		key, err := in.key()
		if err != nil {
			return s.syntax(err)
		}
		if _, dup := s.skeleton[key]; dup {
			s.mu.Lock()
			s.verr.add(Violation{Pointer: "/" + escapeToken(key), Message: "duplicate key"})
			s.mu.Unlock()
		}
		if err := in.ws(); err != nil {
			return s.syntax(err)
		}
		if c, err := in.peek(); err != nil || c != ':' {
			if err != nil {
				return s.syntax(err)
			}
			return s.unexpected(c, "after object key")
		}
		in.pos++
		if err := in.ws(); err != nil {
			return s.syntax(err)
		}
		if _, ok := s.v.items[key]; ok {
			if c, err := in.peek(); err == nil && c == '[' {
				if err := s.array(key); err != nil {
					return err
				}
				s.skeleton[key] = []any{}
				continue
			}
		}
		offset := in.offset()
		raw, err := in.value()
		if err != nil {
			return s.syntax(err)
		}
		var v any
		if err := decodeNumber(raw, &v); err != nil {
			return s.syntaxAt(offset, err)
		}
		s.skeleton[key] = v
		if _, isArray := s.v.items[key]; !isArray {
			s.members = append(s.members, Member{Key: key, Value: v})
			if !s.headerSent && s.headerComplete() {
				if err := s.sendHeader(); err != nil {
					return err
				}
			}
		}
	}
	if err := in.ws(); err != nil {
		return s.syntax(err)
	}
	if c, err := in.peek(); err != io.EOF {
		if err != nil {
			return s.syntax(err)
		}
		return &SyntaxError{File: s.name, Offset: in.offset() + 1, Msg: fmt.Sprintf("unexpected %s after the inventory object", describeByte(c))}
	}
	if err := s.sendHeader(); err != nil {
		return err
	}
	if err := s.v.root.Validate(s.skeleton); err != nil {
		s.mu.Lock()
		s.verr.add(violations(err, "")...)
		s.mu.Unlock()
	}
	return nil
}

// array splits a resource array into chunks of raw elements.
func (s *splitter[V]) array(key string) error {
	in := s.in
	in.pos++ // [
	c := newChunk(key, 0, s.o.ChunkBytes)
	index := 0
	for first := true; ; first = false {
		if err := in.ws(); err != nil {
			return s.syntax(err)
		}
		b, err := in.peek()
		if err != nil {
			return s.syntax(err)
		}
		if b == ']' {
			in.pos++
			break
		}
		if !first {
			if b != ',' {
				return s.unexpected(b, "after array element")
			}
			in.pos++
			if err := in.ws(); err != nil {
				return s.syntax(err)
			}
		}
		off := in.offset()
		raw, err := in.value()
		if err != nil {
			return s.syntax(err)
		}
		c.buf = append(c.buf, raw...)
		c.ends = append(c.ends, len(c.buf))
		c.offset = append(c.offset, off)
		index++
		if len(c.buf) >= s.o.ChunkBytes {
			if err := s.dispatch(c); err != nil {
				return err
			}
			c = newChunk(key, index, s.o.ChunkBytes)
		}
		if err := s.ctx.Err(); err != nil {
			return context.Cause(s.ctx)
		}
	}
	if len(c.ends) > 0 {
		return s.dispatch(c)
	}
	chunks.Put(c)
	return nil
}

func (s *splitter[V]) syntax(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{File: s.name, Offset: s.in.offset(), Msg: "unexpected end of input"}
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		se.File = s.name
		return se
	}
	return fmt.Errorf("read %s: %w", s.name, err)
}

func (s *splitter[V]) syntaxAt(offset int64, err error) error {
	var jse *json.SyntaxError
	if errors.As(err, &jse) {
		msg := jse.Error()
		if msg == "" {
			msg = "invalid character after a value"
		}
		return &SyntaxError{File: s.name, Offset: offset + jse.Offset, Msg: msg}
	}
	return &SyntaxError{File: s.name, Offset: offset, Msg: err.Error()}
}

func (s *splitter[V]) unexpected(c byte, where string) error {
	return &SyntaxError{File: s.name, Offset: s.in.offset() + 1, Msg: fmt.Sprintf("invalid character %s %s", describeByte(c), where)}
}

func describeByte(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	}
	return strconv.QuoteRune(rune(c))
}

func kindOf(raw []byte) string {
	switch raw[0] {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// decodeNumber decodes one JSON value, numbers as json.Number. The value
// must be all of raw: the splitter ends a scalar at the first delimiter, so
// "1795651200xyz" arrives whole, and the decoder alone would stop after the
// number and say nothing of the rest.
func decodeNumber(raw []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if off := dec.InputOffset(); len(bytes.TrimRight(raw[off:], " \t\r\n")) > 0 {
		return &json.SyntaxError{Offset: off + 1}
	}
	return nil
}

// worker parses chunks with its own builder and parser scratch space.
type worker[V any] struct {
	s    *splitter[V]
	p    parser[V]
	vals []V
}

func (s *splitter[V]) newWorker() *worker[V] {
	return &worker[V]{s: s, p: parser[V]{b: s.newBuilder()}}
}

func (w *worker[V]) process(c *chunk) error {
	defer chunks.Put(c)
	s := w.s
	node := s.v.fast[c.key]
	items := s.v.items[c.key]
	w.vals = w.vals[:0]
	invalid := false
	begin := 0
	for i, end := range c.ends {
		raw := c.buf[begin:end]
		begin = end
		if node != nil {
			w.p.reset(raw)
			if v, ok := w.p.value(node); ok {
				w.p.ws()
				if w.p.pos == len(raw) {
					w.vals = append(w.vals, v)
					continue
				}
			}
		}
		// The library's verdict, for everything the fast path was not
		// sure of.
		var doc any
		if err := decodeNumber(raw, &doc); err != nil {
			return s.syntaxAt(c.offset[i], err)
		}
		if err := items.Validate(doc); err != nil {
			invalid = true
			s.mu.Lock()
			s.verr.add(violations(err, "/"+escapeToken(c.key)+"/"+strconv.Itoa(c.start+i))...)
			s.mu.Unlock()
			continue
		}
		v, err := w.p.b.FromAny(doc)
		if err != nil {
			return err
		}
		w.vals = append(w.vals, v)
	}
	if invalid || s.h.Elements == nil {
		return nil
	}
	return s.h.Elements(c.key, c.start, w.vals)
}
