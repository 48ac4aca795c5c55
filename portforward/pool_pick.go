package portforward

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// reconcileLocked keeps the current pod while it is usable, else closes its
// tunnels and picks another Ready pod. p.mu is held.
func (p *Pool) reconcileLocked() {
	if p.closed {
		return
	}
	if p.current != "" {
		if pod, ok := p.pods[p.current]; ok && resolve.PodReady(pod) {
			return
		}
	}
	old := p.current
	why := ""
	if old != "" {
		why = fmt.Sprintf("gateway pod %s/%s was deleted", p.o.Namespace, old)
		if pod, ok := p.pods[old]; ok && pod.DeletionTimestamp == nil {
			why = fmt.Sprintf("gateway pod %s/%s is no longer Ready", p.o.Namespace, old)
		}
		live := p.tunnels[:0]
		for _, t := range p.tunnels {
			if t.pod == p.o.Namespace+"/"+old {
				go t.kill(fmt.Errorf("%s", why))
			} else {
				live = append(live, t)
			}
		}
		p.tunnels = live
	}
	p.current, p.port = "", 0
	for _, name := range sortedNames(p.pods) {
		pod := p.pods[name]
		if !resolve.PodReady(pod) {
			continue
		}
		port, err := p.o.Port(pod)
		if err != nil {
			continue
		}
		p.current, p.port = name, port
		break
	}
	if p.current == old {
		return
	}
	close(p.changed)
	p.changed = make(chan struct{})
	switch {
	case old != "" && p.current != "":
		p.o.Logf("%s; tunnelling to %s/%s port %d now", why, p.o.Namespace, p.current, p.port)
	case old != "":
		p.o.Logf("%s; waiting for a Ready gateway pod", why)
	case p.current != "":
		p.o.Logf("tunnelling to gateway pod %s/%s port %d", p.o.Namespace, p.current, p.port)
	}
}

// skipped says why no pod was chosen, for the start error.
func (p *Pool) skipped() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, name := range sortedNames(p.pods) {
		pod := p.pods[name]
		if !resolve.PodReady(pod) {
			continue
		}
		if _, err := p.o.Port(pod); err != nil {
			return ": " + err.Error()
		}
	}
	return ""
}

func sortedNames(m map[string]*corev1.Pod) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func podName(nsName string) string {
	for i := len(nsName) - 1; i >= 0; i-- {
		if nsName[i] == '/' {
			return nsName[i+1:]
		}
	}
	return nsName
}
