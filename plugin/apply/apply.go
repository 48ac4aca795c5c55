package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// writeBackoff retries a read-modify-write cycle that lost a race: enough
// for tens of users writing the same VirtualService at once.
var writeBackoff = wait.Backoff{Steps: 40, Duration: 10 * time.Millisecond, Factor: 1.3, Jitter: 1, Cap: time.Second}

// Retryable is a lost race: the object changed, appeared or vanished
// meanwhile. Re-reading and planning again cures it.
func Retryable(err error) bool {
	var se *apierrors.StatusError
	named := errors.As(err, &se) && se.ErrStatus.Details != nil && se.ErrStatus.Details.Name != ""
	return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) || apierrors.IsNotFound(err) && named
}

// Applier writes plans all or nothing: it dry-runs on the server every
// write after the first (the first one failing leaves nothing to undo),
// writes them in order, and undoes what it wrote when it finally fails
// (not when a mend round fails: see transact).
type Applier struct {
	stores Stores
	mode   route.DryRun
	done   []written
	// warnings are what the transaction could not do and the command
	// says: an object undo could not restore, mend rounds cut short.
	warnings []string
}

// New is an applier writing with stores in mode.
func New(stores Stores, mode route.DryRun) *Applier { return &Applier{stores: stores, mode: mode} }

// Warnings are what the transaction could not do, for the command to say
// (with or without an error).
func (a *Applier) Warnings() []string { return a.warnings }

func (a *Applier) warnf(format string, args ...any) {
	a.warnings = append(a.warnings, fmt.Sprintf(format, args...))
}

// Wrote is how many writes were made so far (by earlier rounds too).
func (a *Applier) Wrote() int { return len(a.done) }

// WrittenSince are the changes written since the first n writes, as they
// were planned.
func (a *Applier) WrittenSince(n int) []route.Change {
	out := make([]route.Change, 0, len(a.done)-n)
	for _, w := range a.done[n:] {
		out = append(out, w.change)
	}
	return out
}

type written struct {
	change route.Change
	after  route.Change // the object as the server returned it
}

// Round is one pass of a transaction's attempt: First is the first
// attempt of all; Mend is set after an attempt that wrote: the round
// re-reads what it wrote and mends only what concurrent writers undid of
// it (see transact).
type Round struct{ First, Mend bool }

// maxMendRounds bounds the rounds after the first write: each mends what
// a concurrent writer undid meanwhile, which does not go on for long.
const maxMendRounds = 8

// Transact runs attempt (read, plan, apply) until it succeeds or fails for
// a reason other than a lost race; on failure it undoes every write made.
// After an attempt that wrote, it runs again (Mend) on a fresh read until
// one writes nothing: another command of the same moment may have
// planned on what was there before these writes (a delete removing the
// Gateway server an expose's new route needs): the later round finds it
// and puts it back. A mend round that fails does not undo what the
// earlier rounds wrote: it is said as a warning.
func (a *Applier) Transact(ctx context.Context, attempt func(Round) (wrote bool, err error)) error {
	r := Round{First: true}
	mends := 0
	err := retry.OnError(writeBackoff, Retryable, func() error {
		for {
			wrote, err := attempt(r)
			r.First = false
			if err != nil {
				return err
			}
			if !wrote || a.mode != route.DryRunNone {
				return nil
			}
			if mends == maxMendRounds {
				a.warnf("the objects were still changing under concurrent commands after %d re-checks: check them with kubectl expose-gw list", maxMendRounds)
				return nil
			}
			r.Mend = true
			mends++
		}
	})
	if err == nil || a.mode != route.DryRunNone {
		return err
	}
	if r.Mend {
		a.warnf("the objects written are in place, but re-checking them after concurrent changes failed: %v", oneLine(err))
		return nil
	}
	if uerr := a.undo(ctx); uerr != nil {
		return fmt.Errorf("%w; undoing the earlier writes also failed: %w", err, uerr)
	}
	return err
}

// Apply writes changes (those that write) and returns them as the server
// returned them, in the same order, with unchanged ones as they were.
func (a *Applier) Apply(ctx context.Context, changes []route.Change) ([]route.Change, error) {
	return a.ApplyChecking(ctx, changes, nil)
}

// ApplyChecking is apply that also dry-runs on the server the writes of
// later (a later round plans them again from a fresh read) before it
// writes: what the user may not do fails before anything is written.
func (a *Applier) ApplyChecking(ctx context.Context, changes, later []route.Change) ([]route.Change, error) {
	if a.mode == route.DryRunNone {
		for _, c := range later {
			if !c.Writes() {
				continue
			}
			if _, err := a.write(ctx, c, true); err != nil {
				return nil, err
			}
		}
	}
	var writes []int
	for i, c := range changes {
		if c.Writes() {
			writes = append(writes, i)
		}
	}
	out := append([]route.Change(nil), changes...)
	switch a.mode {
	case route.DryRunClient:
		return out, nil
	case route.DryRunServer:
		for _, i := range writes {
			after, err := a.write(ctx, changes[i], true)
			if err != nil {
				return nil, err
			}
			out[i] = after
		}
		return out, nil
	}
	for _, i := range writes[min(1, len(writes)):] {
		if _, err := a.write(ctx, changes[i], true); err != nil {
			return nil, err
		}
	}
	for _, i := range writes {
		after, err := a.write(ctx, changes[i], false)
		if err != nil {
			return nil, err
		}
		a.done = append(a.done, written{change: changes[i], after: after})
		out[i] = after
	}
	return out, nil
}

// Written are the changes written so far, as the server returned them:
// those of an attempt that lost a race stay written, and are reported.
func (a *Applier) Written() []route.Change {
	out := make([]route.Change, len(a.done))
	for i, w := range a.done {
		out[i] = w.after
	}
	return out
}

func dryRunOpt(dry bool) []string {
	if dry {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// write performs one change with the store of its object's kind and
// returns it as the server returned it.
func (a *Applier) write(ctx context.Context, c route.Change, dry bool) (route.Change, error) {
	st, err := a.stores.of(c.Object)
	if err != nil {
		return c, err
	}
	out := c
	switch c.Op {
	case route.OpCreate:
		out.Object, err = st.create(ctx, c.Object, metav1.CreateOptions{FieldManager: route.FieldManager, DryRun: dryRunOpt(dry)})
	case route.OpUpdate:
		out.Object, err = st.update(ctx, c.Object, metav1.UpdateOptions{FieldManager: route.FieldManager, DryRun: dryRunOpt(dry)})
	case route.OpDelete:
		err = st.delete(ctx, c.Object.GetNamespace(), c.Object.GetName(), deleteOpts(c.Object, dry))
	}
	if err != nil {
		return c, kube.ExplainAPIError(err, verbOf(c.Op), st.resource)
	}
	return out, nil
}

// deleteOpts deletes the object only as it was read (same UID and
// resourceVersion), when it was read.
func deleteOpts(m metav1.Object, dry bool) metav1.DeleteOptions {
	o := metav1.DeleteOptions{DryRun: dryRunOpt(dry)}
	if rv := m.GetResourceVersion(); rv != "" {
		uid := m.GetUID()
		o.Preconditions = &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}
	}
	return o
}

func verbOf(op route.Op) string {
	switch op {
	case route.OpCreate:
		return "create"
	case route.OpDelete:
		return "delete"
	}
	return "update"
}

// undo reverts the writes made, newest first, each only if nobody changed
// the object since (then it is someone else's state and is left alone).
func (a *Applier) undo(ctx context.Context) error {
	var errs []error
	for i := len(a.done) - 1; i >= 0; i-- {
		w := a.done[i]
		var rev route.Change
		switch w.change.Op {
		case route.OpCreate:
			rev = route.Change{Op: route.OpDelete, Object: w.after.Object}
		case route.OpUpdate:
			before := w.change.Before.DeepCopyObject().(route.Object)
			before.SetResourceVersion(w.after.Object.GetResourceVersion())
			rev = route.Change{Op: route.OpUpdate, Object: before}
		case route.OpDelete:
			rev = route.Change{Op: route.OpCreate, Object: route.Recreatable(w.change.Before)}
		}
		_, err := a.write(ctx, rev, false)
		if err == nil {
			continue
		}
		a.warnf("could not restore %s: %v", a.describe(w.change), oneLine(err))
		if !Retryable(err) {
			errs = append(errs, err)
		}
	}
	a.done = nil
	return errors.Join(errs...)
}

// describe names the object of c and what was done to it, e.g.
// "gateway.networking.istio.io default/expose-gw (created)".
func (a *Applier) describe(c route.Change) string {
	resource := "object"
	if st, err := a.stores.of(c.Object); err == nil {
		resource = st.resource
	}
	return fmt.Sprintf("%s %s (%s)", resource, c.Ref(), c.Op)
}

// oneLine keeps a warning on one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
