package evaluator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"golang.org/x/sync/errgroup"

	"github.com/openai-casb/openai-casb/internal/jsonstream"
	"github.com/openai-casb/openai-casb/inventory"
)

// Header is what reports say about the inventory itself.
type Header struct {
	// Name is the file the inventory was read from ("-" for standard input).
	Name         string
	CollectedAt  int64
	Tool         inventory.Tool
	Organization inventory.Organization
	Workspace    *inventory.Workspace
	Sources      inventory.Sources
}

// Result is one evaluation of an inventory.
type Result struct {
	Header   Header
	Findings []Finding
}

// EvaluateReader reads an inventory document from r, validates it and
// evaluates the policies over it, returning the findings sorted. name
// labels errors. The document is read once, as a stream; how it is
// evaluated depends on the policies (see Streaming).
func (e *Engine) EvaluateReader(ctx context.Context, r io.Reader, name string, opts EvalOptions) (*Result, error) {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, &TimeoutError{After: opts.Timeout})
		defer cancel()
	}
	var res *Result
	var err error
	if !opts.Materialize {
		res, err = e.streamed(ctx, r, name, opts)
	} else {
		res, err = e.materialized(ctx, r, name, opts)
	}
	if err != nil && ctx.Err() != nil {
		// Stopped while reading rather than in a policy.
		if _, ok := errors.AsType[*TimeoutError](err); !ok {
			if te, ok := errors.AsType[*TimeoutError](context.Cause(ctx)); ok {
				return nil, te
			}
		}
	}
	return res, err
}

// Streaming reports whether every policy package can be evaluated chunk by
// chunk (bounded memory, every core), and if not, the first rule that
// prevents it. Packages that cannot are evaluated once, over the resource
// arrays they read, while the others stream.
func (e *Engine) Streaming() (bool, string) { return e.streaming, e.whyNotStreaming }

// UserJoins reports whether a package other than the built-in openai.*
// ones cannot stream, and the first rule that makes it so: such a package
// is evaluated once over the whole arrays it reads (more memory). The
// built-in packages that join do so by design, over the arrays they name.
func (e *Engine) UserJoins() (bool, string) {
	for _, q := range e.queries {
		if !q.stream && !strings.HasPrefix(q.name, "data.openai.") {
			return true, q.whyNot
		}
	}
	return false, ""
}

// PackageStreaming reports whether one policy package (e.g. acme or
// openai.identity) streams, and if not, why; false with a reason for a
// package that has no finding rules.
func (e *Engine) PackageStreaming(pkg string) (bool, string) {
	for _, q := range e.queries {
		if q.name == "data."+pkg+"."+FindingRule {
			return q.stream, q.whyNot
		}
	}
	return false, "no finding rules in package " + pkg
}

// joined lists the queries that do not stream, and the resource arrays they
// read (every one when any of them cannot tell).
func (e *Engine) joined() ([]query, map[string]bool) {
	var qs []query
	need := map[string]bool{}
	for _, q := range e.queries {
		if q.stream {
			continue
		}
		qs = append(qs, q)
		names := q.arrays
		if q.allArrays {
			names = resourceArrays
		}
		for _, k := range names {
			need[k] = true
		}
	}
	return qs, need
}

// header reads the small top-level members: their terms (collected_at
// replaced by --now) and what reports need.
type header struct {
	pairs [][2]*ast.Term
	info  Header
	now   int64 // the evaluation's clock: collected_at, or --now
	// err is a member the Go types could not hold. The members have not
	// been validated as a whole when the header is read, and a document
	// that breaks the schema fails with every violation instead; err is
	// returned only for a document that is valid.
	err error
}

func readHeader(members []jsonstream.Member, name string, opts EvalOptions) (*header, error) {
	h := &header{info: Header{Name: name}}
	for _, m := range members {
		t, err := toTerm(m.Value)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if m.Key == "collected_at" && opts.Now != nil {
			t = ast.IntNumberTerm(int(opts.Now.Unix()))
		}
		h.pairs = append(h.pairs, [2]*ast.Term{ast.StringTerm(m.Key), t})
		switch m.Key {
		case "collected_at":
			// The schema allows an integral number in any notation
			// (1795651200.0, 1.7956512e9), which an int64 field would refuse.
			if n, ok := m.Value.(json.Number); ok {
				h.info.CollectedAt = integral(n)
			}
		case "tool":
			err = json.Unmarshal(m.Raw, &h.info.Tool)
		case "organization":
			err = json.Unmarshal(m.Raw, &h.info.Organization)
		case "workspace":
			err = json.Unmarshal(m.Raw, &h.info.Workspace)
		case "sources":
			err = json.Unmarshal(m.Raw, &h.info.Sources)
		}
		if err != nil && h.err == nil {
			h.err = fmt.Errorf("read %s: /%s: %w", name, m.Key, err)
		}
	}
	h.now = h.info.CollectedAt
	if opts.Now != nil {
		h.now = opts.Now.Unix()
	}
	return h, nil
}

// integral reads a JSON number the schema knows to be an integer, written
// with or without a fraction or an exponent.
func integral(n json.Number) int64 {
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0
	}
	return int64(f)
}

// input builds an evaluation input: the header, the given arrays, and every
// other resource array empty.
func (h *header) input(arrays map[string]*ast.Term) ast.Object {
	pairs := make([][2]*ast.Term, 0, len(h.pairs)+len(resourceArrays))
	pairs = append(pairs, h.pairs...)
	for _, k := range resourceArrays {
		t, ok := arrays[k]
		if !ok {
			t = emptyArray
		}
		pairs = append(pairs, [2]*ast.Term{ast.StringTerm(k), t})
	}
	return ast.NewObject(pairs...)
}

// stream reads the inventory through the validating JSON stream.
func stream(ctx context.Context, r io.Reader, name string, builder func() jsonstream.Builder[*ast.Term], h jsonstream.Handler[*ast.Term], opts EvalOptions) error {
	s, err := inventory.Schema()
	if err != nil {
		return err
	}
	return jsonstream.Stream(ctx, r, name, s, builder, h, jsonstream.StreamOptions{Workers: opts.Workers, ChunkBytes: opts.ChunkBytes})
}

var (
	resourceArrays = inventory.ResourceArrays()
	emptyArray     = ast.ArrayTerm()
)

// streamed evaluates each chunk of each resource array as soon as a worker
// has parsed it, with every package that streams, then merges the
// findings. The elements of the arrays that packages which do not stream
// read are kept (only the members those packages read: see project.go),
// and those packages evaluated over them at the end.
func (e *Engine) streamed(ctx context.Context, r io.Reader, name string, opts EvalOptions) (*Result, error) {
	joins, need := e.joined()
	var (
		h       *header
		mu      sync.Mutex
		found   []Finding
		parts   = map[string][]part{}
		builder = func() jsonstream.Builder[*ast.Term] { return newTermBuilder() }
	)
	handler := jsonstream.Handler[*ast.Term]{
		Header: func(members []jsonstream.Member) error {
			var err error
			if h, err = readHeader(members, name, opts); err != nil {
				return err
			}
			// Rules that read no resource array give their findings here
			// (and again, identical, in every chunk).
			fs, err := e.evalAll(ctx, h.input(nil), h.now)
			found = append(found, fs...)
			return err
		},
		Elements: func(key string, start int, vals []*ast.Term) error {
			own := append([]*ast.Term(nil), vals...)
			arr := ast.NewTerm(ast.NewArray(own...))
			fs, err := e.evalAll(ctx, h.input(map[string]*ast.Term{key: arr}), h.now)
			if err != nil {
				return err
			}
			mu.Lock()
			found = append(found, fs...)
			if need[key] {
				parts[key] = append(parts[key], part{start, e.projection.projectAll(key, own)})
			}
			mu.Unlock()
			return nil
		},
	}
	if err := stream(ctx, r, name, builder, handler, opts); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("read %s: no inventory header", name)
	}
	if h.err != nil {
		return nil, h.err
	}
	if len(joins) > 0 {
		fs, err := e.evalQueries(ctx, joins, h.input(assemble(parts)), h.now, opts.Workers)
		if err != nil {
			return nil, err
		}
		found = append(found, fs...)
	}
	found, err := e.settle(found)
	if err != nil {
		return nil, err
	}
	return &Result{Header: h.info, Findings: found}, nil
}

// materialized reads the whole inventory into one input and evaluates each
// policy package over it, the packages in parallel. It is the reference
// the streaming mode is tested against, and the mode for policies that
// join or aggregate over whole arrays.
func (e *Engine) materialized(ctx context.Context, r io.Reader, name string, opts EvalOptions) (*Result, error) {
	var (
		h     *header
		mu    sync.Mutex
		parts = map[string][]part{}
	)
	handler := jsonstream.Handler[*ast.Term]{
		Header: func(members []jsonstream.Member) error {
			var err error
			h, err = readHeader(members, name, opts)
			return err
		},
		Elements: func(key string, start int, vals []*ast.Term) error {
			mu.Lock()
			parts[key] = append(parts[key], part{start, append([]*ast.Term(nil), vals...)})
			mu.Unlock()
			return nil
		},
	}
	builder := func() jsonstream.Builder[*ast.Term] { return newTermBuilder() }
	if err := stream(ctx, r, name, builder, handler, opts); err != nil {
		return nil, err
	}
	if h.err != nil {
		return nil, h.err
	}
	found, err := e.evalQueries(ctx, e.queries, h.input(assemble(parts)), h.now, opts.Workers)
	if err != nil {
		return nil, err
	}
	// Packages are separate sets, so two of them can give the same
	// finding; the streamed mode keeps one, and so must its reference.
	found, err = e.settle(found)
	if err != nil {
		return nil, err
	}
	return &Result{Header: h.info, Findings: found}, nil
}

// part is a run of elements of one resource array, from its position start.
type part struct {
	start int
	vals  []*ast.Term
}

// assemble puts each array's parts back in document order.
func assemble(parts map[string][]part) map[string]*ast.Term {
	arrays := map[string]*ast.Term{}
	for key, ps := range parts {
		sort.Slice(ps, func(i, j int) bool { return ps[i].start < ps[j].start })
		var all []*ast.Term
		for _, p := range ps {
			all = append(all, p.vals...)
		}
		arrays[key] = ast.ArrayTerm(all...)
	}
	return arrays
}

// evalQueries evaluates the given packages over one input, in parallel.
func (e *Engine) evalQueries(ctx context.Context, qs []query, input ast.Value, now int64, workers int) ([]Finding, error) {
	results := make([][]Finding, len(qs))
	g, gctx := errgroup.WithContext(ctx)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(workers)
	for i, q := range qs {
		g.Go(func() error {
			fs, err := e.eval(gctx, q, input, now)
			results[i] = fs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var found []Finding
	for _, fs := range results {
		found = append(found, fs...)
	}
	return found, nil
}

// evalAll evaluates every policy package that streams over one input.
func (e *Engine) evalAll(ctx context.Context, input ast.Value, now int64) ([]Finding, error) {
	var out []Finding
	for _, q := range e.queries {
		if !q.stream {
			continue
		}
		fs, err := e.eval(ctx, q, input, now)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// eval evaluates one package's deny set over one input with OPA's
// evaluator directly, reading the findings from its terms: no conversion of
// the results to Go values, which at a million resources costs as much as
// evaluating some of the rules.
func (e *Engine) eval(ctx context.Context, q query, input ast.Value, now int64) ([]Finding, error) {
	if ctx.Err() != nil {
		return nil, stopped(ctx, q.name)
	}
	txn, err := e.store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	defer e.store.Abort(ctx, txn)
	// topdown stops only through its Cancel, not the context: without
	// this a policy that never ends ignores Ctrl-C and every timeout.
	cancel := topdown.NewCancel()
	defer context.AfterFunc(ctx, cancel.Cancel)()
	rs, err := topdown.NewQuery(q.body).
		WithCancel(cancel).
		WithCompiler(e.compiler).
		WithStore(e.store).
		WithTransaction(txn).
		WithInput(ast.NewTerm(input)).
		WithPrintHook(e.print).
		// A policy that reads the clock despite the rule gets the
		// evaluation's clock, not the wall's: results stay reproducible.
		WithTime(time.Unix(now, 0)).
		Run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, stopped(ctx, q.name)
		}
		return nil, fmt.Errorf("evaluate %s: %w", q.name, err)
	}
	var out []Finding
	for _, r := range rs {
		set, ok := r[denyVar].Value.(ast.Set)
		if !ok {
			return nil, fmt.Errorf("evaluate %s: got %v, want a set of findings", q.name, r[denyVar])
		}
		var ferr error
		set.Foreach(func(t *ast.Term) {
			if ferr != nil {
				return
			}
			f, err := findingFrom(t, e.byID, q.name)
			if err != nil {
				ferr = err
				return
			}
			if e.selected == nil || e.selected[f.FindingTypeID] {
				out = append(out, f)
			}
		})
		if ferr != nil {
			return nil, ferr
		}
	}
	return out, nil
}

// TimeoutError is an evaluation that did not finish within
// EvalOptions.Timeout: a policy that runs away (a rule iterating over the
// product of large collections, say).
type TimeoutError struct {
	// Policy is the rule that was running, e.g. data.acme.slow.deny.
	Policy string
	After  time.Duration
}

func (e *TimeoutError) Error() string {
	if e.Policy == "" {
		return fmt.Sprintf("evaluate: the evaluation did not finish within %s", e.After)
	}
	return fmt.Sprintf("evaluate %s: the policy did not finish within %s; a rule of it may iterate without bound (nested iterations over large collections), or the inventory is larger than the timeout allows", e.Policy, e.After)
}

// stopped is why an evaluation of policy stopped early: its timeout, or
// the caller's cancellation (context.Canceled).
func stopped(ctx context.Context, policy string) error {
	if te, ok := errors.AsType[*TimeoutError](context.Cause(ctx)); ok {
		return &TimeoutError{Policy: policy, After: te.After}
	}
	return fmt.Errorf("evaluate %s: %w", policy, ctx.Err())
}

// settle puts the findings in the order of the reports and keeps one of
// each, as the deny sets of a single evaluation would (rules that read no
// resource array give the same findings over every chunk; packages are
// separate sets): equal findings are neighbours once sorted, which spares
// a map of every finding (0.35 s at a million users). Then it checks that
// no two findings share an identity.
func (e *Engine) settle(fs []Finding) ([]Finding, error) {
	SortFindings(fs)
	out := fs[:0]
	for i := range fs {
		// Title, category and remediation come from the finding type,
		// which the comparison includes.
		if len(out) > 0 && CompareFindings(&out[len(out)-1], &fs[i]) == 0 {
			continue
		}
		out = append(out, fs[i])
	}
	clear(fs[len(out):])
	if err := checkIdentities(out, e.byID); err != nil {
		return nil, err
	}
	return out, nil
}

// Data reads a document of the policies' data, such as
// data.openai.config.dlp_profiles, as plain JSON values; ok is false when
// the policies do not define it.
func (e *Engine) Data(ctx context.Context, ref string) (v any, ok bool, err error) {
	r, err := ast.ParseRef(ref)
	if err != nil || !r.HasPrefix(ast.DefaultRootRef) {
		return nil, false, fmt.Errorf("read %s: not a reference into data", ref)
	}
	body, err := e.compiler.QueryCompiler().Compile(ast.NewBody(ast.Equality.Expr(ast.VarTerm("x"), ast.NewTerm(r))))
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", ref, err)
	}
	txn, err := e.store.NewTransaction(ctx)
	if err != nil {
		return nil, false, err
	}
	defer e.store.Abort(ctx, txn)
	rs, err := topdown.NewQuery(body).WithCompiler(e.compiler).WithStore(e.store).WithTransaction(txn).
		WithInput(ast.NewTerm(ast.NewObject())).Run(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", ref, err)
	}
	if len(rs) == 0 {
		return nil, false, nil
	}
	v, err = ast.JSON(rs[0][ast.Var("x")].Value)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", ref, err)
	}
	return v, true, nil
}
