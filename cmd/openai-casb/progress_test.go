package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressLine(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	var buf bytes.Buffer
	p := newProgress(&buf, clock.now, false, true)
	assert.Equal(t, "collecting, 0 s", p.line())

	p.update("users", 100)
	p.update("projects", 3)
	p.listDone("projects")
	p.update("project_api_keys", 7)
	p.listDone("project_api_keys")
	p.listDone("project_api_keys")
	p.update("gpts", 20)
	clock.advance(12 * time.Second)
	assert.Equal(t, "collecting, 12 s: gpts 20, project_api_keys 7 (2/3 projects), projects 3 (done), users 100", p.line())

	p.waiting("GET /compliance/workspaces/{workspace_id}/gpts", 2500*time.Millisecond)
	assert.Contains(t, p.line(), "; waiting for rate limit (3 s)")
	clock.advance(2 * time.Second)
	assert.Contains(t, p.line(), "; waiting for rate limit (1 s)")
	clock.advance(time.Second)
	assert.NotContains(t, p.line(), "waiting")

	clock.advance(2 * time.Minute)
	assert.True(t, strings.HasPrefix(p.line(), "collecting, 2m15s: "), p.line())
}

func TestProgressPerProjectBeforeProjectsAreAllListed(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	p := newProgress(&bytes.Buffer{}, clock.now, false, true)
	p.update("projects", 100)
	p.update("project_users", 40)
	p.listDone("project_users")
	assert.Equal(t, "collecting, 0 s: project_users 40 (1 projects), projects 100", p.line())
}

func TestProgressOutput(t *testing.T) {
	t.Run("a log line per tick when not a terminal", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		var buf bytes.Buffer
		p := newProgress(&buf, clock.now, false, true)
		p.update("users", 5)
		assert.Empty(t, buf.String(), "pages alone do not log")
		clock.advance(logEvery)
		p.tick()
		p.stop()
		assert.Equal(t, "openai-casb: collecting, 15 s: users 5\n", buf.String())
	})
	t.Run("one line rewritten on a terminal", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		var buf bytes.Buffer
		p := newProgress(&buf, clock.now, true, false)
		clock.advance(time.Second)
		p.update("users", 5)
		p.stop()
		assert.Equal(t, "\r\033[Kcollecting, 1 s: users 5\r\033[Kcollecting, 1 s: users 5\n", buf.String())
	})
	t.Run("no escape codes on a terminal with NO_COLOR", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		var buf bytes.Buffer
		p := newProgress(&buf, clock.now, true, true)
		clock.advance(time.Second)
		p.update("users", 1000)
		clock.advance(time.Second)
		p.listDone("users")
		p.update("gpts", 1)
		clock.advance(time.Second)
		p.tick()
		p.stop()
		assert.NotContains(t, buf.String(), "\033")
		lines := strings.Split(buf.String(), "\r")
		for i := 2; i < len(lines); i++ {
			assert.GreaterOrEqual(t, len(strings.TrimSuffix(lines[i], "\n")), len(lines[i-1]), "each redraw covers the last")
		}
	})
}

func TestProgressSayKeepsWarningsOnTheirOwnLine(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	for _, c := range []struct {
		name         string
		tty, noColor bool
		want         string
	}{
		{"not a terminal", false, true, "warning: x\n"},
		{"a terminal", true, false, "\r\033[Kcollecting, 0 s: users 5\r\033[Kwarning: x\n\r\033[Kcollecting, 0 s: users 5"},
		{"a terminal with NO_COLOR", true, true, "\rcollecting, 0 s: users 5\r" + strings.Repeat(" ", 24) + "\rwarning: x\n\rcollecting, 0 s: users 5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&buf, clock.now, c.tty, c.noColor)
			p.update("users", 5)
			p.say("warning: x")
			assert.Equal(t, c.want, buf.String())
		})
	}
}
