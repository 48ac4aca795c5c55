package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istioclient "istio.io/client-go/pkg/clientset/versioned"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

const (
	gatewaysResource        = "gateways.networking.istio.io"
	virtualServicesResource = "virtualservices.networking.istio.io"
)

// writeBackoff retries a read-modify-write cycle that lost a race: enough
// for tens of users writing the same VirtualService at once.
var writeBackoff = wait.Backoff{Steps: 40, Duration: 10 * time.Millisecond, Factor: 1.3, Jitter: 1, Cap: time.Second}

// retryable is a lost race: the object changed, appeared or vanished
// meanwhile. Re-reading and planning again cures it.
func retryable(err error) bool {
	var se *apierrors.StatusError
	named := errors.As(err, &se) && se.ErrStatus.Details != nil && se.ErrStatus.Details.Name != ""
	return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) || apierrors.IsNotFound(err) && named
}

// applier writes plans all or nothing: it dry-runs on the server every
// write after the first (the first one failing leaves nothing to undo),
// writes them in order, and undoes what it wrote when it finally fails.
type applier struct {
	istio istioclient.Interface
	mode  dryRunMode
	done  []written
	// errOut gets a warning for every object undo could not restore.
	errOut io.Writer
}

type written struct {
	change model.Change
	after  model.Change // the object as the server returned it
}

// transact runs attempt (read, plan, apply) until it succeeds or fails for
// a reason other than a lost race; on failure it undoes every write made.
func (a *applier) transact(ctx context.Context, attempt func(first bool) error) error {
	first := true
	err := retry.OnError(writeBackoff, retryable, func() error {
		defer func() { first = false }()
		return attempt(first)
	})
	if err == nil || a.mode != dryRunNone {
		return err
	}
	if uerr := a.undo(ctx); uerr != nil {
		return fmt.Errorf("%w; undoing the earlier writes also failed: %w", err, uerr)
	}
	return err
}

// apply writes changes (those that write) and returns them as the server
// returned them, in the same order, with unchanged ones as they were.
func (a *applier) apply(ctx context.Context, changes []model.Change) ([]model.Change, error) {
	var writes []int
	for i, c := range changes {
		if c.Writes() {
			writes = append(writes, i)
		}
	}
	out := append([]model.Change(nil), changes...)
	switch a.mode {
	case dryRunClient:
		return out, nil
	case dryRunServer:
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

func dryRunOpt(dry bool) []string {
	if dry {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// write performs one change.
func (a *applier) write(ctx context.Context, c model.Change, dry bool) (model.Change, error) {
	create := metav1.CreateOptions{FieldManager: model.FieldManager, DryRun: dryRunOpt(dry)}
	update := metav1.UpdateOptions{FieldManager: model.FieldManager, DryRun: dryRunOpt(dry)}
	out := c
	var err error
	if c.Gateway != nil {
		gws := a.istio.NetworkingV1().Gateways(c.Gateway.Namespace)
		switch c.Op {
		case model.OpCreate:
			out.Gateway, err = gws.Create(ctx, c.Gateway, create)
		case model.OpUpdate:
			out.Gateway, err = gws.Update(ctx, c.Gateway, update)
		case model.OpDelete:
			err = gws.Delete(ctx, c.Gateway.Name, deleteOpts(&c.Gateway.ObjectMeta, dry))
		}
		return out, ExplainAPIError(err, verbOf(c.Op), gatewaysResource)
	}
	vss := a.istio.NetworkingV1().VirtualServices(c.VirtualService.Namespace)
	switch c.Op {
	case model.OpCreate:
		out.VirtualService, err = vss.Create(ctx, c.VirtualService, create)
	case model.OpUpdate:
		out.VirtualService, err = vss.Update(ctx, c.VirtualService, update)
	case model.OpDelete:
		err = vss.Delete(ctx, c.VirtualService.Name, deleteOpts(&c.VirtualService.ObjectMeta, dry))
	}
	return out, ExplainAPIError(err, verbOf(c.Op), virtualServicesResource)
}

func deleteOpts(m *metav1.ObjectMeta, dry bool) metav1.DeleteOptions {
	o := metav1.DeleteOptions{DryRun: dryRunOpt(dry)}
	if m.ResourceVersion != "" {
		o.Preconditions = &metav1.Preconditions{UID: &m.UID, ResourceVersion: &m.ResourceVersion}
	}
	return o
}

func verbOf(op model.Op) string {
	switch op {
	case model.OpCreate:
		return "create"
	case model.OpDelete:
		return "delete"
	}
	return "update"
}

// undo reverts the writes made, newest first, each only if nobody changed
// the object since (then it is someone else's state and is left alone).
func (a *applier) undo(ctx context.Context) error {
	var errs []error
	for i := len(a.done) - 1; i >= 0; i-- {
		w := a.done[i]
		var rev model.Change
		switch w.change.Op {
		case model.OpCreate:
			rev = model.Change{Op: model.OpDelete, Gateway: w.after.Gateway, VirtualService: w.after.VirtualService}
		case model.OpUpdate:
			rev = model.Change{Op: model.OpUpdate}
			if w.change.Gateway != nil {
				rev.Gateway = w.change.BeforeGateway.DeepCopy()
				rev.Gateway.ResourceVersion = w.after.Gateway.ResourceVersion
			} else {
				rev.VirtualService = w.change.BeforeVS.DeepCopy()
				rev.VirtualService.ResourceVersion = w.after.VirtualService.ResourceVersion
			}
		case model.OpDelete:
			rev = model.Change{Op: model.OpCreate, Gateway: recreatable(w.change.BeforeGateway), VirtualService: recreatableVS(w.change.BeforeVS)}
		}
		_, err := a.write(ctx, rev, false)
		if err == nil {
			continue
		}
		if a.errOut != nil {
			fmt.Fprintf(a.errOut, "warning: could not restore %s: %v\n", describeChange(w.change), oneLine(err))
		}
		if !retryable(err) {
			errs = append(errs, err)
		}
	}
	a.done = nil
	return errors.Join(errs...)
}

func recreatable(g *networkingv1.Gateway) *networkingv1.Gateway {
	if g == nil {
		return nil
	}
	g = g.DeepCopy()
	g.ObjectMeta = metav1.ObjectMeta{Name: g.Name, Namespace: g.Namespace, Labels: g.Labels, Annotations: g.Annotations}
	return g
}

func recreatableVS(v *networkingv1.VirtualService) *networkingv1.VirtualService {
	if v == nil {
		return nil
	}
	v = v.DeepCopy()
	v.ObjectMeta = metav1.ObjectMeta{Name: v.Name, Namespace: v.Namespace, Labels: v.Labels, Annotations: v.Annotations}
	return v
}

// describeChange names the object of c and what was done to it, e.g.
// "gateway.networking.istio.io default/expose-gw (created)".
func describeChange(c model.Change) string {
	if c.Gateway != nil {
		return fmt.Sprintf("%s %s/%s (%s)", gatewaysResource, c.Gateway.Namespace, c.Gateway.Name, c.Op)
	}
	return fmt.Sprintf("%s %s/%s (%s)", virtualServicesResource, c.VirtualService.Namespace, c.VirtualService.Name, c.Op)
}

// oneLine keeps a warning on one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
