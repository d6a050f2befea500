package inventory

import (
	"bytes"
	"fmt"
	"io"
)

// byteReader reads a document in large blocks and finds where values end
// by structure alone (strings, escapes, nesting), so the splitter can cut
// elements out of the stream without parsing them.
type byteReader struct {
	r    io.Reader
	buf  []byte
	pos  int   // next byte to read in buf
	base int64 // document offset of buf[0]
	err  error // sticky error of r (io.EOF at the end)
}

const readBlock = 4 << 20

// offset is the document offset of the next byte.
func (b *byteReader) offset() int64 { return b.base + int64(b.pos) }

// more reads another block, keeping buf[keep:]; it returns how far the kept
// bytes moved back.
func (b *byteReader) more(keep int) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	shift := keep
	if shift > 0 {
		n := copy(b.buf, b.buf[keep:])
		b.buf = b.buf[:n]
		b.base += int64(shift)
		b.pos -= shift
	}
	if cap(b.buf)-len(b.buf) < readBlock/2 {
		grown := make([]byte, len(b.buf), max(2*cap(b.buf), readBlock))
		copy(grown, b.buf)
		b.buf = grown
	}
	n, err := b.r.Read(b.buf[len(b.buf):cap(b.buf)])
	b.buf = b.buf[:len(b.buf)+n]
	if err != nil {
		b.err = err
		if n > 0 {
			err = nil
		}
	}
	if n == 0 && err == nil {
		return b.more(0) // a reader may return 0, nil; ask again
	}
	return shift, err
}

// ws skips whitespace.
func (b *byteReader) ws() error {
	for {
		for b.pos < len(b.buf) {
			switch b.buf[b.pos] {
			case ' ', '\t', '\n', '\r':
				b.pos++
			default:
				return nil
			}
		}
		if _, err := b.more(b.pos); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// peek returns the next byte without reading it, or io.EOF.
func (b *byteReader) peek() (byte, error) {
	for b.pos >= len(b.buf) {
		if _, err := b.more(b.pos); err != nil {
			return 0, err
		}
	}
	return b.buf[b.pos], nil
}

// key reads an object key.
func (b *byteReader) key() (string, error) {
	c, err := b.peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", &SyntaxError{Offset: b.offset() + 1, Msg: fmt.Sprintf("invalid character %s looking for beginning of object key string", describeByte(c))}
	}
	off := b.offset()
	raw, err := b.value()
	if err != nil {
		return "", err
	}
	s, ok := unquote(raw)
	if !ok {
		return "", &SyntaxError{Offset: off + 1, Msg: "invalid object key string"}
	}
	return s, nil
}

// value reads one JSON value and returns its bytes, valid until the next
// read. Only structure is checked here; scalars are checked when parsed.
func (b *byteReader) value() ([]byte, error) {
	start := b.pos
	i := b.pos
	depth := 0
	inString, escaped := false, false
	scalar := false
	var stack []byte
	// refill moves the window when i reaches the end of the buffer.
	refill := func() error {
		shift, err := b.more(start)
		start -= shift
		i -= shift
		return err
	}
	for {
		if i >= len(b.buf) {
			if err := refill(); err != nil {
				if err == io.EOF && scalar && !inString {
					b.pos = i
					return b.buf[start:i], nil
				}
				if err == io.EOF {
					return nil, io.ErrUnexpectedEOF
				}
				return nil, err
			}
			continue
		}
		if inString {
			if escaped {
				escaped = false
				i++
				continue
			}
			j := bytes.IndexAny(b.buf[i:], "\"\\")
			if j < 0 {
				i = len(b.buf)
				continue
			}
			i += j
			if b.buf[i] == '\\' {
				escaped = true
				i++
				continue
			}
			i++ // closing quote
			inString = false
			if depth == 0 {
				b.pos = i
				return b.buf[start:i], nil
			}
			continue
		}
		c := b.buf[i]
		if scalar {
			switch c {
			case ' ', '\t', '\n', '\r', ',', ']', '}', ':':
				b.pos = i
				return b.buf[start:i], nil
			}
			i++
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			stack = append(stack, c)
			depth++
		case '}', ']':
			if depth == 0 || (c == '}') != (stack[len(stack)-1] == '{') {
				return nil, &SyntaxError{Offset: b.base + int64(i) + 1, Msg: fmt.Sprintf("invalid character %s", describeByte(c))}
			}
			stack = stack[:len(stack)-1]
			depth--
			if depth == 0 {
				i++
				b.pos = i
				return b.buf[start:i], nil
			}
		case ',', ':':
			if depth == 0 {
				return nil, &SyntaxError{Offset: b.base + int64(i) + 1, Msg: fmt.Sprintf("invalid character %s looking for beginning of value", describeByte(c))}
			}
		default:
			if depth == 0 {
				scalar = true
			}
		}
		i++
	}
}
