package testenv

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Grant binds user to a ClusterRole made of rules (cluster-wide when
// namespace is empty, else through a RoleBinding in namespace).
func (e *Env) Grant(user, namespace string, rules []rbacv1.PolicyRule) {
	e.t.Helper()
	ctx := e.Ctx()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "test-" + user + "-" + namespace}, Rules: rules}
	if _, err := e.Kube.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		e.t.Fatalf("creating ClusterRole for %s: %v", user, err)
	}
	subj := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}}
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}
	var err error
	if namespace == "" {
		_, err = e.Kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: role.Name}, Subjects: subj, RoleRef: ref}, metav1.CreateOptions{})
	} else {
		_, err = e.Kube.RbacV1().RoleBindings(namespace).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: role.Name, Namespace: namespace}, Subjects: subj, RoleRef: ref}, metav1.CreateOptions{})
	}
	if err != nil {
		e.t.Fatalf("binding %s: %v", user, err)
	}
}
