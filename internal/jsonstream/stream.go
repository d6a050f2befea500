// Package jsonstream reads one large JSON document that is an object of a
// few small members and some big arrays (an inventory), validating it
// against its JSON Schema as it streams: a splitter cuts the arrays'
// elements out of the input with jsontext (the one JSON tokenizer of the
// tree), and workers parse, validate and build chunks of them in parallel
// with a parser compiled from the schema, asking the schema library about
// every element that parser is not certain of. It also finds the line on
// which each resource of such a document starts.
package jsonstream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
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
// array: as encoding/json decodes it into any (numbers as json.Number),
// and as written, for decoding into a type of the caller's.
type Member struct {
	Key   string
	Value any
	Raw   []byte
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
	// Raw, when set, gets each element of a chunk whose elements all
	// validated, as written (the bytes are the stream's: valid only during
	// the call), with its index, before Elements gets the chunk: for a
	// caller that decodes elements into types of its own in the same pass.
	// With several workers it is called concurrently.
	Raw func(key string, index int, raw []byte) error
	// Array, when set, is told of each resource array the document holds,
	// in document order, before any of its elements (so that an empty one
	// can be told from one left out).
	Array func(key string) error
}

// readBytes is how much of the document Stream reads at once.
const readBytes = 1 << 20

// documentOptions read the document. Names must be unique at every depth
// (a duplicate is a violation at its pointer), but the splitter, which
// reads the whole document in one goroutine, checks only the top level and
// the small members: the elements of the arrays are checked by the
// workers that parse them, in parallel (their decoders keep jsontext's
// default). Invalid UTF-8 inside strings is read as encoding/json reads it
// rather than refused, as before this package used jsontext.
var documentOptions = []jsontext.Options{jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)}

// duplicateName finds a duplicate name in one JSON value the splitter has
// read, and returns its pointer within the value.
func duplicateName(raw []byte) (string, bool) {
	if jsontext.Value(raw).IsValid(jsontext.AllowInvalidUTF8(true)) {
		return "", false
	}
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true))
	_, err := dec.ReadValue()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) && errors.Is(se.Err, jsontext.ErrDuplicateName) {
		return string(se.JSONPointer), true
	}
	return "", false
}

// Stream reads one document from r and validates it against s as it goes,
// handing its parts to h. Memory stays bounded by the chunks in flight,
// whatever the document's size. name labels errors.
//
// Errors: *SyntaxError for input that is not one JSON document (Offset
// set; LocateReader adds line and column), *ValidationError with every
// violation (a duplicate name is one, at its JSON pointer), or the
// handler's own error.
func Stream[V any](ctx context.Context, r io.Reader, name string, s *Schema, newBuilder func() Builder[V], h Handler[V], o StreamOptions) (err error) {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = 1 << 20
	}
	if o.PendingBytes <= 0 {
		o.PendingBytes = DefaultPendingBytes
	}
	// jsontext reads into the free end of its own buffer, a few KB at a
	// time: on a file that was a read(2) per 8 KB (82,000 calls at a
	// million users, 0.6 s of system time), where 1 MB reads take 640.
	r, skipped, err := skipBOM(bufio.NewReaderSize(r, readBytes), name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sp := &splitter[V]{
		ctx: ctx, name: name, s: s, h: h, o: o, newBuilder: newBuilder,
		dec: jsontext.NewDecoder(r, documentOptions...), base: skipped,
		verr: &ValidationError{File: name}, skeleton: map[string]any{},
		spill: &spill{dir: o.TempDir},
	}
	defer func() {
		if cerr := sp.spill.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	sp.start(cancel)
	err = sp.document()
	sp.finish(err)
	if err == nil {
		err = sp.wait()
	} else {
		sp.wait()
	}
	if err == nil {
		err = context.Cause(ctx)
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = ctx.Err()
		}
		if err != nil && sp.firstErr() != nil {
			err = sp.firstErr()
		}
	}
	if err != nil {
		return err
	}
	if sp.verr.Total > 0 {
		return sp.verr
	}
	return nil
}

// Validate reads one document from r and validates it against s, keeping
// nothing: Stream with a Discard builder and no handler.
func Validate(ctx context.Context, r io.Reader, name string, s *Schema) error {
	return Stream(ctx, r, name, s, func() Builder[struct{}] { return Discard{} }, Handler[struct{}]{}, StreamOptions{})
}

// utf8BOM starts some files written on Windows; JSON (RFC 8259) allows a
// reader to skip it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// skipBOM skips a UTF-8 byte order mark at the start of r, and refuses
// UTF-16 and UTF-32 (with or without a mark) with a message that says so.
// It returns how many bytes it skipped.
func skipBOM(r io.Reader, name string) (io.Reader, int64, error) {
	head := make([]byte, 4)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, 0, fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	if enc := wideEncoding(head); enc != "" {
		return nil, 0, &SyntaxError{File: name, Offset: 1, Msg: fmt.Sprintf(
			"the file is %s; an inventory is UTF-8 JSON: convert it (for example iconv -f %s -t UTF-8 FILE)", enc, enc)}
	}
	skipped := 0
	if bytes.HasPrefix(head, utf8BOM) {
		skipped = len(utf8BOM)
	}
	return io.MultiReader(bytes.NewReader(head[skipped:]), r), int64(skipped), nil
}

// wideEncoding names the encoding of a document that starts with head when
// it is UTF-16 or UTF-32: by its byte order mark, or by the zero bytes
// around the first ASCII character (RFC 4627, section 3).
func wideEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0x00, 0x00, 0xFE, 0xFF}), len(head) == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0 && head[3] != 0:
		return "UTF-32BE"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0x00, 0x00}), len(head) == 4 && head[0] != 0 && head[1] == 0 && head[2] == 0 && head[3] == 0:
		return "UTF-32LE"
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}), len(head) >= 2 && head[0] == 0 && head[1] != 0:
		return "UTF-16BE"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), len(head) >= 2 && head[0] != 0 && head[1] == 0:
		return "UTF-16LE"
	}
	return ""
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
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	return c
}

// chunk is a run of raw elements of one array.
type chunk struct {
	key   string
	start int    // index of the first element
	buf   []byte // the elements' bytes, back to back
	ends  []int  // end of each element in buf
}

type splitter[V any] struct {
	ctx        context.Context
	name       string
	s          *Schema
	h          Handler[V]
	o          StreamOptions
	newBuilder func() Builder[V]
	dec        *jsontext.Decoder
	base       int64 // bytes skipped before the decoder's input (a BOM)

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

func (s *splitter[V]) violate(vs ...Violation) {
	s.mu.Lock()
	s.verr.add(vs...)
	s.mu.Unlock()
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
	for _, k := range s.s.headerMembers {
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
	dec := s.dec
	switch dec.PeekKind() {
	case '{':
	case 0:
		_, err := dec.ReadToken()
		if err == io.EOF {
			return &SyntaxError{File: s.name, Offset: s.base, Msg: "empty input, want an inventory JSON object"}
		}
		return s.syntax(err)
	default:
		raw, err := dec.ReadValue()
		if err != nil {
			return s.syntax(err)
		}
		s.violate(Violation{Pointer: "", Message: fmt.Sprintf("got %s, want object", kindOf(raw))})
		return nil
	}
	if _, err := dec.ReadToken(); err != nil { // {
		return s.syntax(err)
	}
	names := map[string]bool{}
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return s.syntax(err)
		}
		key := tok.String()
		if names[key] {
			return s.duplicate("/" + EscapeToken(key))
		}
		names[key] = true
		if _, ok := s.s.items[key]; ok && dec.PeekKind() == '[' {
			if s.h.Array != nil {
				if err := s.h.Array(key); err != nil {
					return err
				}
			}
			if err := s.array(key); err != nil {
				return err
			}
			s.skeleton[key] = []any{}
			continue
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return s.syntax(err)
		}
		if at, dup := duplicateName(raw); dup {
			return s.duplicate("/" + EscapeToken(key) + at)
		}
		v, err := decodeAny(raw)
		if err != nil {
			return fmt.Errorf("read %s: /%s: %w", s.name, EscapeToken(key), err)
		}
		s.skeleton[key] = v
		if _, isArray := s.s.items[key]; !isArray {
			s.members = append(s.members, Member{Key: key, Value: v, Raw: bytes.Clone(raw)})
			if !s.headerSent && s.headerComplete() {
				if err := s.sendHeader(); err != nil {
					return err
				}
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil { // }
		return s.syntax(err)
	}
	if raw, err := dec.ReadValue(); err != io.EOF {
		if err != nil {
			return s.syntax(err)
		}
		return &SyntaxError{File: s.name, Offset: s.base + dec.InputOffset() - int64(len(raw)) + 1,
			Msg: fmt.Sprintf("unexpected %s after the inventory object", describe(raw))}
	}
	if err := s.sendHeader(); err != nil {
		return err
	}
	if err := s.s.root.Validate(s.skeleton); err != nil {
		s.violate(violations(err, "")...)
	}
	return nil
}

// array splits a resource array into chunks of raw elements.
func (s *splitter[V]) array(key string) error {
	dec := s.dec
	if _, err := dec.ReadToken(); err != nil { // [
		return s.syntax(err)
	}
	c := newChunk(key, 0, s.o.ChunkBytes)
	index := 0
	for k := dec.PeekKind(); k != ']'; k = dec.PeekKind() {
		raw, err := dec.ReadValue()
		if err != nil {
			chunks.Put(c)
			return s.syntax(err)
		}
		c.buf = append(c.buf, raw...)
		c.ends = append(c.ends, len(c.buf))
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
	if _, err := dec.ReadToken(); err != nil { // ]
		return s.syntax(err)
	}
	if len(c.ends) > 0 {
		return s.dispatch(c)
	}
	chunks.Put(c)
	return nil
}

// syntax turns a tokenizer error into a *SyntaxError, or a duplicate name
// into a violation at its pointer (the document cannot be read on after
// it, so the violations so far are returned).
func (s *splitter[V]) syntax(err error) error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &SyntaxError{File: s.name, Offset: s.base + s.dec.InputOffset(), Msg: "unexpected end of input"}
		}
		if ctxErr := context.Cause(s.ctx); ctxErr != nil {
			return ctxErr
		}
		var own *SyntaxError
		if errors.As(err, &own) {
			return own
		}
		return fmt.Errorf("read %s: %w", s.name, err)
	}
	if errors.Is(se.Err, jsontext.ErrDuplicateName) {
		return s.duplicate(string(se.JSONPointer))
	}
	off := s.base + se.ByteOffset
	msg := se.Err.Error()
	if errors.Is(se.Err, io.ErrUnexpectedEOF) {
		msg = "unexpected end of input"
	} else {
		off++ // Offset counts the offending byte
	}
	return &SyntaxError{File: s.name, Offset: off, Msg: msg}
}

// duplicate records a duplicate name in the document outside the arrays'
// elements: the stream stops there, with the violations so far.
func (s *splitter[V]) duplicate(pointer string) error {
	s.violate(Violation{Pointer: pointer, Message: "duplicate key"})
	return s.verr
}

// describe names a value by its first byte, as encoding/json's errors do.
func describe(raw []byte) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	}
	return strconv.QuoteRune(rune(raw[0]))
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
	node := s.s.fast[c.key]
	items := s.s.items[c.key]
	w.vals = w.vals[:0]
	invalid := false
	begin := 0
	for i, end := range c.ends {
		raw := c.buf[begin:end]
		begin = end
		if node != nil {
			if v, ok := w.p.parse(node, raw); ok {
				w.vals = append(w.vals, v)
				continue
			}
		}
		// The library's verdict, for everything the fast path was not
		// sure of; a duplicate name first, which encoding/json would read
		// as the last value.
		at := "/" + EscapeToken(c.key) + "/" + strconv.Itoa(c.start+i)
		if in, dup := duplicateName(raw); dup {
			invalid = true
			s.violate(Violation{Pointer: at + in, Message: "duplicate key"})
			continue
		}
		doc, err := decodeAny(raw)
		if err != nil {
			return fmt.Errorf("read %s: %s: %w", s.name, at, err)
		}
		if err := items.Validate(doc); err != nil {
			invalid = true
			s.violate(violations(err, at)...)
			continue
		}
		v, err := w.p.b.FromAny(doc)
		if err != nil {
			return err
		}
		w.vals = append(w.vals, v)
	}
	if invalid {
		return nil
	}
	if s.h.Raw != nil {
		begin = 0
		for i, end := range c.ends {
			if err := s.h.Raw(c.key, c.start+i, c.buf[begin:end]); err != nil {
				return err
			}
			begin = end
		}
	}
	if s.h.Elements == nil {
		return nil
	}
	return s.h.Elements(c.key, c.start, w.vals)
}
