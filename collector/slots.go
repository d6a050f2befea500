package collector

import (
	"context"
	"sync"
)

// Request priorities. The pages of a long list must follow one another, so
// every page it waits for a slot lengthens the whole collection; the
// children of projects are many short independent requests that can fill
// the slots in between. Chains therefore go first.
const (
	priorityChain = iota
	priorityFanOut
)

// slots bounds the requests in flight, handing a freed slot to a waiting
// chain request before any fan-out request.
type slots struct {
	mu      sync.Mutex
	free    int
	waiting [2][]chan struct{}
}

func newSlots(n int) *slots { return &slots{free: n} }

func (s *slots) acquire(ctx context.Context, prio int) error {
	s.mu.Lock()
	if s.free > 0 {
		s.free--
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{}, 1)
	s.waiting[prio] = append(s.waiting[prio], ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		q := s.waiting[prio]
		for i, w := range q {
			if w == ch {
				s.waiting[prio] = append(q[:i:i], q[i+1:]...)
				s.mu.Unlock()
				return ctx.Err()
			}
		}
		s.mu.Unlock()
		// The slot was handed over as the context ended: pass it on.
		s.release()
		return ctx.Err()
	}
}

func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.waiting {
		if q := s.waiting[p]; len(q) > 0 {
			s.waiting[p] = q[1:]
			q[0] <- struct{}{}
			return
		}
	}
	s.free++
}
