package diagnose

import (
	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
)

// RuleKey names one rule of one route object.
type RuleKey struct {
	Kind, Namespace, Name string
	Rule                  int
}

// KeyOf is the rule a route was made from.
func KeyOf(o envoy.Origin) RuleKey {
	return RuleKey{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Rule: o.Rule}
}

// Reach is what the tables say of one rule.
type Reach struct {
	// Reachable: some route of the rule has no earlier route in its
	// virtual host that takes all its requests.
	Reachable bool
	// By is an earlier route that takes all the requests of one of the
	// rule's routes, Host its virtual host (when not Reachable).
	By   envoy.Origin
	Host string
}

// Reachability walks every virtual host of tables: a rule's route is
// unreachable when an earlier route of another rule covers its match
// (envoy.Match.Covers). Rules absent from the map have no route at all.
func Reachability(tables ...[]envoy.VirtualHost) map[RuleKey]*Reach {
	out := map[RuleKey]*Reach{}
	for _, vhs := range tables {
		for _, vh := range vhs {
			if vh.RequireTLS {
				continue // every plain request is redirected: no rule of it is reached there
			}
			for i, r := range vh.Routes {
				k := KeyOf(r.Origin)
				rc := out[k]
				if rc == nil {
					rc = &Reach{}
					out[k] = rc
				}
				if rc.Reachable {
					continue
				}
				// Covered by an earlier route of the same rule counts too: that
				// one decides (a copy of a VirtualService joined twice).
				by := -1
				for j := range i {
					if vh.Routes[j].Match.Covers(r.Match) {
						by = j
						break
					}
				}
				switch {
				case by < 0:
					rc.Reachable = true
				case rc.By.Kind == "" && KeyOf(vh.Routes[by].Origin) != k:
					rc.By, rc.Host = vh.Routes[by].Origin, vh.Name
				}
			}
		}
	}
	return out
}
