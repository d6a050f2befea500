package jsonstream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// DefaultPendingBytes is how many bytes of elements Stream keeps in memory
// while it waits for the header; beyond it, chunks go to a temporary file.
const DefaultPendingBytes = 256 << 20

// spill holds, in a temporary file, the chunks read before the header was
// complete once they outgrow the memory budget. An inventory whose optional
// header members come after its arrays (hand-written, or older than a
// member) then costs disk, not memory, however large it is.
type spill struct {
	dir string
	f   *os.File
	w   *bufio.Writer
	n   int // chunks written
	buf []byte
}

func (sp *spill) write(c *chunk) error {
	if sp.f == nil {
		f, err := os.CreateTemp(sp.dir, "openai-casb-pending-*")
		if err != nil {
			return fmt.Errorf("hold elements until the header is read: %w", err)
		}
		sp.f, sp.w = f, bufio.NewWriterSize(f, 1<<20)
	}
	b := sp.buf[:0]
	b = binary.AppendUvarint(b, uint64(len(c.key)))
	b = append(b, c.key...)
	b = binary.AppendUvarint(b, uint64(c.start))
	b = binary.AppendUvarint(b, uint64(len(c.ends)))
	for i := range c.ends {
		b = binary.AppendUvarint(b, uint64(c.ends[i]))
	}
	b = binary.AppendUvarint(b, uint64(len(c.buf)))
	sp.buf = b
	if _, err := sp.w.Write(b); err != nil {
		return fmt.Errorf("hold elements until the header is read: %w", err)
	}
	if _, err := sp.w.Write(c.buf); err != nil {
		return fmt.Errorf("hold elements until the header is read: %w", err)
	}
	sp.n++
	return nil
}

// replay reads the chunks back, in the order they were written, handing
// each to fn.
func (sp *spill) replay(fn func(*chunk) error) error {
	if sp.f == nil {
		return nil
	}
	if err := sp.w.Flush(); err != nil {
		return fmt.Errorf("hold elements until the header is read: %w", err)
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("hold elements until the header is read: %w", err)
	}
	r := bufio.NewReaderSize(sp.f, 1<<20)
	uv := func() (int, error) {
		v, err := binary.ReadUvarint(r)
		return int(v), err
	}
	for i := 0; i < sp.n; i++ {
		c, err := readSpilled(r, uv)
		if err != nil {
			return fmt.Errorf("read back held elements: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func readSpilled(r io.Reader, uv func() (int, error)) (*chunk, error) {
	n, err := uv()
	if err != nil {
		return nil, err
	}
	key := make([]byte, n)
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, err
	}
	start, err := uv()
	if err != nil {
		return nil, err
	}
	count, err := uv()
	if err != nil {
		return nil, err
	}
	ends := make([]int, count)
	for i := range ends {
		if ends[i], err = uv(); err != nil {
			return nil, err
		}
	}
	size, err := uv()
	if err != nil {
		return nil, err
	}
	c := newChunk(string(key), start, size)
	c.buf = c.buf[:size]
	if _, err := io.ReadFull(r, c.buf); err != nil {
		return nil, err
	}
	c.ends = append(c.ends, ends...)
	return c, nil
}

// close removes the temporary file.
func (sp *spill) close() error {
	if sp.f == nil {
		return nil
	}
	name := sp.f.Name()
	err := sp.f.Close()
	sp.f = nil
	return errors.Join(err, os.Remove(name))
}
