package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"unsafe"

	"istio.io/istio/pilot/pkg/config/kube/gateway"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/status"
)

// Status is the status Istio's Gateway API controller computed for one
// object (GatewayClass, Gateway, HTTPRoute, ...): what istiod's status
// writer would put in its status subresource.
type Status struct {
	Group      string          `json:"group"`
	Version    string          `json:"version"`
	Resource   string          `json:"resource"`
	Namespace  string          `json:"namespace,omitempty"`
	Name       string          `json:"name"`
	Generation string          `json:"generation"`
	Status     json.RawMessage `json:"status"`
}

// statusQueue is where the controller's status collections enqueue their
// writes (the status.Queue istiod's leader feeds to its status manager);
// it keeps the last status of each object.
type statusQueue struct {
	mu    sync.Mutex
	state map[status.Resource]any
}

func (q *statusQueue) EnqueueStatusUpdateResource(context any, target status.Resource) {
	q.mu.Lock()
	defer q.mu.Unlock()
	target.Generation = "" // the last write per object wins, as in the status workers
	q.state[target] = context
}

// captureStatus attaches a queue to the Gateway API controller's status
// collections, waits until each has delivered its current state (so the
// result is complete, not a sample), detaches it and returns the statuses.
//
// istiod attaches its status manager with Controller.SetStatusWrite, whose
// queue writes through worker goroutines and which gives no way to wait for
// the initial state; Istio's own status tests call the unexported
// status.SetQueue and wait on the syncers it returns, which is done here
// (the field is read with reflect, as Go allows no other way in).
func captureStatus(gc model.GatewayController, stop <-chan struct{}) ([]Status, error) {
	c, ok := gc.(*gateway.Controller)
	if !ok || c == nil {
		return nil, fmt.Errorf("the Gateway API controller is a %T, not Istio's gateway.Controller", gc)
	}
	f := reflect.ValueOf(c).Elem().FieldByName("status")
	if !f.IsValid() || f.Type() != reflect.TypeOf(&status.StatusCollections{}) {
		return nil, fmt.Errorf("gateway.Controller has no status collections field (Istio changed)")
	}
	sc := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(*status.StatusCollections)
	q := &statusQueue{state: map[status.Resource]any{}}
	syncers := sc.SetQueue(q)
	defer sc.UnsetQueue()
	for _, s := range syncers {
		if !s.WaitUntilSynced(stop) {
			return nil, fmt.Errorf("status collections did not sync")
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Status, 0, len(q.state))
	for r, v := range q.state {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("status of %s: %w", r, err)
		}
		out = append(out, Status{Group: r.Group, Version: r.Version, Resource: r.Resource,
			Namespace: r.Namespace, Name: r.Name, Generation: r.Generation, Status: b})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return out, nil
}
