package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/openai-casb/openai-casb/collector"
	"github.com/openai-casb/openai-casb/inventory"
)

// logEvery is how often progress is logged when standard error is not a
// terminal (a CI log): often enough to show the job is alive, rarely
// enough not to flood the log.
const logEvery = 15 * time.Second

// redrawEvery refreshes the terminal line (elapsed time, the rate-limit
// countdown) while no page arrives.
const redrawEvery = time.Second

// perProject are the lists read once per project: their progress counts
// projects done against the projects listed.
var perProject = []string{inventory.SourceProjectAPIKeys, inventory.SourceProjectServiceAccounts, inventory.SourceProjectUsers}

// progress tells what a collection is doing on standard error: on a
// terminal one line, rewritten in place, with the items read per list,
// the projects done of those listed, the elapsed time and any wait for the
// rate limit; elsewhere the same as a log line every logEvery.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	now     func() time.Time
	start   time.Time
	tty     bool // rewrite one line in place
	noColor bool // NO_COLOR and friends: no escape sequences, pad instead
	lastLen int  // runes of the line last drawn, for padding
	drawn   time.Time

	counts    map[string]int
	done      map[string]int // lists of the source read to their end
	waitUntil time.Time      // the latest end of a rate-limit wait
	stopTick  func()
}

func newProgress(w io.Writer, now func() time.Time, tty, noColor bool) *progress {
	return &progress{w: w, now: now, start: now(), tty: tty, noColor: noColor, counts: map[string]int{}, done: map[string]int{}}
}

// startProgress hooks a progress into the collector's options and starts
// its clock: a redraw every second on a terminal, a log line every 15 s
// elsewhere.
func startProgress(e *env, o *collector.Options) *progress {
	tty := e.terminal(e.stderr)
	p := newProgress(e.stderr, time.Now, tty, !e.color(e.stderr))
	o.Progress, o.ListDone, o.Waiting = p.update, p.listDone, p.waiting
	every := logEvery
	if tty {
		every = redrawEvery
	}
	tick, stop := e.ticker(every)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-tick:
				p.tick()
			case <-quit:
				return
			}
		}
	}()
	p.stopTick = func() { close(quit); wg.Wait(); stop() }
	return p
}

func (p *progress) update(source string, items int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[source] = items
	p.redrawSoon()
}

func (p *progress) listDone(source string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done[source]++
	p.redrawSoon()
}

func (p *progress) waiting(_ string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.now().Add(d); until.After(p.waitUntil) {
		p.waitUntil = until
	}
	p.redrawSoon()
}

// redrawSoon redraws a terminal line at most ten times a second.
func (p *progress) redrawSoon() {
	if !p.tty {
		return
	}
	if now := p.now(); now.Sub(p.drawn) >= 100*time.Millisecond {
		p.drawn = now
		p.draw()
	}
}

// tick is the clock: redraw the terminal line, or log a line.
func (p *progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "%s: %s\n", toolName, p.line())
}

func (p *progress) draw() {
	line := p.line()
	if p.noColor {
		// No escape sequence: overwrite the last line with spaces.
		n := utf8.RuneCountInString(line)
		fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", max(0, p.lastLen-n)))
		p.lastLen = n
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// line is the state in words: "collecting, 12 s: projects 40 (done),
// project_api_keys 120 (12/40 projects), users 1200 (done), gpts 30;
// waiting for rate limit (3 s)".
func (p *progress) line() string {
	now := p.now()
	names := slices.Sorted(maps.Keys(p.counts))
	parts := make([]string, len(names))
	projectsDone := p.done[inventory.SourceProjects] > 0
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, p.counts[n])
		switch {
		case slices.Contains(perProject, n):
			if projectsDone {
				parts[i] += fmt.Sprintf(" (%d/%d projects)", p.done[n], p.counts[inventory.SourceProjects])
			} else {
				parts[i] += fmt.Sprintf(" (%d projects)", p.done[n])
			}
		case p.done[n] > 0:
			parts[i] += " (done)"
		}
	}
	s := fmt.Sprintf("collecting, %s", elapsed(now.Sub(p.start)))
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	if left := p.waitUntil.Sub(now); left > 0 {
		s += fmt.Sprintf("; waiting for rate limit (%d s)", int((left+time.Second-1)/time.Second))
	}
	return s
}

func elapsed(d time.Duration) string {
	d = d.Truncate(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d/time.Second))
	}
	return d.String()
}

// say writes a line of its own (a warning) to the progress's writer: on a
// terminal it first clears the progress line, then draws it again below.
func (p *progress) say(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	if p.noColor {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.lastLen))
		p.lastLen = 0
	} else {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, line)
	if len(p.counts) > 0 {
		p.draw()
	}
}

// stop ends the clock and leaves the last state on its own line.
func (p *progress) stop() {
	if p.stopTick != nil {
		p.stopTick()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && len(p.counts) > 0 {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
