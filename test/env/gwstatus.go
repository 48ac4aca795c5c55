package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// IstioStatus is the status Istio's Gateway API controller computed for
// one object, as istiogw reports it (GET /status).
type IstioStatus struct {
	Group      string          `json:"group"`
	Version    string          `json:"version"`
	Resource   string          `json:"resource"`
	Namespace  string          `json:"namespace"`
	Name       string          `json:"name"`
	Generation string          `json:"generation"`
	Status     json.RawMessage `json:"status"`
}

// Statuses are the statuses Istio computed over the cluster's objects now.
func (g *IstioGateway) Statuses() []IstioStatus {
	g.env.t.Helper()
	var out []IstioStatus
	g.get("/status", &out)
	return out
}

// writeStatus plays istiod's status writer: it writes each status Istio's
// Gateway API controller computed to the object's status subresource,
// where it differs from what is there.
func (g *IstioGateway) writeStatus(ctx context.Context) error {
	resp, err := http.Get(g.admin + "/status")
	if err != nil {
		return fmt.Errorf("istiogw status: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("istiogw status: %s", resp.Status)
	}
	var sts []IstioStatus
	if err := json.NewDecoder(resp.Body).Decode(&sts); err != nil {
		return fmt.Errorf("istiogw status: %w", err)
	}
	dyn := g.env.dynamic()
	for _, st := range sts {
		var want any
		if err := json.Unmarshal(st.Status, &want); err != nil {
			return err
		}
		gvr := schema.GroupVersionResource{Group: st.Group, Version: st.Version, Resource: st.Resource}
		res := dyn.Resource(gvr).Namespace(st.Namespace)
		for attempt := 0; ; attempt++ {
			obj, err := res.Get(ctx, st.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				break // deleted since: nothing to write
			}
			if err != nil {
				return err
			}
			if reflect.DeepEqual(normalize(obj.Object["status"]), want) {
				break
			}
			obj.Object["status"] = want
			_, err = res.UpdateStatus(ctx, obj, metav1.UpdateOptions{})
			if apierrors.IsConflict(err) && attempt < 5 {
				continue
			}
			if err != nil {
				return fmt.Errorf("writing the status of %s %s/%s: %w", st.Resource, st.Namespace, st.Name, err)
			}
			break
		}
	}
	return nil
}

// normalize makes v compare with a value decoded from JSON.
func normalize(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// Log is the Istio-driven gateway's log so far (Istio's own log lines).
func (g *IstioGateway) Log() string {
	b, _ := os.ReadFile(filepath.Join(g.env.Dir, "istiogw.log"))
	return string(b)
}
