package apis

import (
	"context"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Found is what one API answered to a read.
type Found[T any] struct {
	API   API
	Items []T
}

// Result is what the APIs answered to a read.
type Result[T any] struct {
	Found []Found[T]
	// Warnings name the APIs left out because the user may not read them.
	Warnings []string
	// Unserved is why an API left out has nothing: the cluster does not
	// serve it (the first such).
	Unserved error
}

// Read asks each API at once and applies the one policy every command
// follows for an API it cannot use:
//   - one the cluster does not serve has nothing (when none is served,
//     the first one's error says so);
//   - one the user may not read is left out, with a warning naming what
//     was refused and what the others' answer stands for ("only the
//     Istio API's routes are listed"), when the others found something
//     (read says whether an answer is something: routes, or a delete's
//     earlier rounds); when they found nothing, the refusal is the error;
//   - any other error is the error.
//
// what ends the warning: "listed", "deleted", ...
func Read[T any](ctx context.Context, apis []API, what string, read func(context.Context, API) (items []T, found bool, err error)) (*Result[T], error) {
	items := make([][]T, len(apis))
	founds := make([]bool, len(apis))
	errs := make([]error, len(apis))
	var wg sync.WaitGroup
	for i, a := range apis {
		wg.Go(func() { items[i], founds[i], errs[i] = read(ctx, a) })
	}
	wg.Wait()
	var (
		res               Result[T]
		refused           []int
		served, something bool
	)
	for i, err := range errs {
		switch {
		case kube.NotServed(err):
			if res.Unserved == nil {
				res.Unserved = err
			}
		case apierrors.IsForbidden(err):
			served = true
			refused = append(refused, i)
		case err != nil:
			return nil, err
		default:
			served = true
			something = something || founds[i]
			res.Found = append(res.Found, Found[T]{API: apis[i], Items: items[i]})
		}
	}
	switch {
	case !served:
		return nil, errs[0]
	case len(refused) > 0 && !something:
		return nil, errs[refused[0]]
	}
	for _, i := range refused {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%v: only the %s's routes are %s", errs[i], titles(res.Found), what))
	}
	return &res, nil
}

// titles names the APIs that answered.
func titles[T any](found []Found[T]) string {
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = f.API.Title()
	}
	return kube.OrList(names)
}

// ServiceRoutes reads, as Read does, the routes to Service ns/name of
// each API asked (on Gateway gw only, when given); what ends the warning.
func ServiceRoutes(ctx context.Context, asked []API, what, ns, name string, gw *route.ObjectRef) (*Result[route.Route], error) {
	return Read(ctx, asked, what, func(ctx context.Context, api API) ([]route.Route, bool, error) {
		routes, err := api.ServiceRoutes(ctx, ns, name, gw)
		return routes, len(routes) > 0, err
	})
}
