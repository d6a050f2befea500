package collector

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSlotsHandChainsFirst(t *testing.T) {
	s := newSlots(1)
	require.NoError(t, s.acquire(context.Background(), priorityFanOut))
	var (
		mu    sync.Mutex
		order []string
		wg    sync.WaitGroup
	)
	waiter := func(name string, prio int) {
		defer wg.Done()
		s.acquire(context.Background(), prio)
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
		s.release()
	}
	wg.Add(2)
	go waiter("fan-out", priorityFanOut)
	waitQueued(s, priorityFanOut)
	go waiter("chain", priorityChain)
	waitQueued(s, priorityChain)
	s.release()
	wg.Wait()
	assert.Equal(t, []string{"chain", "fan-out"}, order, "the chain was queued later but goes first")
	assert.Equal(t, 1, freeSlots(s))
}

func TestSlotsCancelledWaiterLeavesNoHole(t *testing.T) {
	s := newSlots(1)
	require.NoError(t, s.acquire(context.Background(), priorityChain))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.acquire(ctx, priorityChain) }()
	waitQueued(s, priorityChain)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	s.release()
	assert.Equal(t, 1, freeSlots(s), "the slot is free again, not handed to the cancelled waiter")
}

// waitQueued spins until a waiter of prio is queued: the queue, not the
// clock, is what the test waits for.
func waitQueued(s *slots, prio int) {
	for {
		s.mu.Lock()
		n := len(s.waiting[prio])
		s.mu.Unlock()
		if n > 0 {
			return
		}
	}
}

func freeSlots(s *slots) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.free
}
