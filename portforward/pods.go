package portforward

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// list replaces the known pods with a fresh list and returns its
// resourceVersion.
func (p *Pool) list(ctx context.Context) (string, error) {
	l, err := p.o.Kube.CoreV1().Pods(p.o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: p.o.Selector})
	if err != nil {
		return "", fmt.Errorf("listing the gateway pods in namespace %s (%s): %w", p.o.Namespace, p.o.Selector, err)
	}
	p.mu.Lock()
	p.pods = map[string]*corev1.Pod{}
	for i := range l.Items {
		p.pods[l.Items[i].Name] = &l.Items[i]
	}
	p.reconcileLocked()
	p.mu.Unlock()
	return l.ResourceVersion, nil
}

// watch follows the gateway pods from rv until ctx ends, listing again
// whenever the watch breaks.
func (p *Pool) watch(ctx context.Context, rv string) {
	for ctx.Err() == nil {
		w, err := p.o.Kube.CoreV1().Pods(p.o.Namespace).Watch(ctx, metav1.ListOptions{
			LabelSelector: p.o.Selector, ResourceVersion: rv, AllowWatchBookmarks: true})
		if err == nil {
			rv = p.follow(ctx, w)
			w.Stop()
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil || rv == "" {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			if rv, err = p.list(ctx); err != nil {
				rv = ""
			}
		}
	}
}

// follow applies watch events; it returns the last resourceVersion seen,
// or "" when the watch must start over from a list.
func (p *Pool) follow(ctx context.Context, w watch.Interface) string {
	rv := ""
	for {
		select {
		case <-ctx.Done():
			return rv
		case ev, ok := <-w.ResultChan():
			if !ok {
				return rv
			}
			if ev.Type == watch.Error {
				return ""
			}
			pod, isPod := ev.Object.(*corev1.Pod)
			if !isPod {
				continue
			}
			rv = pod.ResourceVersion
			if ev.Type == watch.Bookmark {
				continue
			}
			p.mu.Lock()
			if ev.Type == watch.Deleted {
				delete(p.pods, pod.Name)
			} else {
				p.pods[pod.Name] = pod
			}
			p.reconcileLocked()
			p.mu.Unlock()
		}
	}
}

// recheck gets one pod again after a tunnel to it failed, in case the
// watch has not told yet that it went away.
func (p *Pool) recheck(ctx context.Context, name string) {
	pod, err := p.o.Kube.CoreV1().Pods(p.o.Namespace).Get(ctx, name, metav1.GetOptions{})
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case apierrors.IsNotFound(err):
		delete(p.pods, name)
	case err == nil:
		p.pods[name] = pod
	default:
		return
	}
	p.reconcileLocked()
}
