# kubectl expose-gw — `make help` lists the targets.
SHELL := bash
GO ?= go
BIN := bin
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || echo v0.0.0-dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
PKG := github.com/expose-gw/kubectl-expose-gw
LDFLAGS := -s -w -X $(PKG)/plugin.version=$(VERSION) -X $(PKG)/plugin.gitCommit=$(COMMIT)
TOOLS := $(BIN)/kube-apiserver $(BIN)/etcd $(BIN)/kubectl $(BIN)/kwok
ISTIOGW := $(BIN)/istiogw
PLUGIN := $(BIN)/plugin/kubectl-expose_gw
RELEASE_URL ?= https://github.com/expose-gw/kubectl-expose-gw/releases/download/$(VERSION)
DIST ?= dist
KREW_VERSION := v0.4.3
KREW_TOOLS := $(BIN)/krew-tools
# Release tools, pinned; each is rebuilt only when its pin changes (the stamp
# is named for the version).
GORELEASER_VERSION := v2.15.1
GORELEASER := $(BIN)/goreleaser/goreleaser
GORELEASER_STAMP := $(BIN)/goreleaser/.$(GORELEASER_VERSION)
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT := $(BIN)/actionlint/actionlint
ACTIONLINT_STAMP := $(BIN)/actionlint/.$(ACTIONLINT_VERSION)
# The Krew manifest's renderer (krew/render), built from these sources.
RENDER := .cache/krew-render
export CGO_ENABLED := 0

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z][a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: tools
tools: ## Build the test tools side by side: control plane (kube-apiserver, etcd, kubectl, kwok), the Istio-driven gateway, krew, goreleaser, actionlint (cold: ~20 min on 2 cores)
	@$(MAKE) --no-print-directory -j3 $(BIN)/.tools-stamp $(ISTIOGW) krew-tools $(GORELEASER_STAMP) $(ACTIONLINT_STAMP)

# What the demo needs, no more: the control plane and the Istio-driven
# gateway, side by side (not krew, goreleaser or actionlint).
.PHONY: demo-tools
demo-tools:
	@$(MAKE) --no-print-directory -j2 $(BIN)/.tools-stamp $(ISTIOGW)

$(BIN)/.tools-stamp: test/tools/go.mod test/tools/go.sum test/tools/build.sh
	test/tools/build.sh $(BIN)
	touch $@

# The test gateway links Istio's control plane (module istio.io/istio, kept
# in its own module: never in the plugin's); rebuilt when its module changes.
$(ISTIOGW): test/istiogw/go.mod test/istiogw/go.sum $(wildcard test/istiogw/*.go)
	@echo ">> building the Istio-driven gateway (first build about 12 minutes)" >&2
	cd test/istiogw && $(GO) build -trimpath -ldflags "-s -w" -o $(CURDIR)/$@.tmp .
	mv $@.tmp $@

# The browser test (test/browser) drives Debian's chromium headless. One on
# PATH costs nothing; a missing one is installed with apt-get (as root, as
# CI runs `make test`; through sudo otherwise), after an apt-get update when
# the package lists do not know it yet (a fresh machine).
.PHONY: browser
browser: ## Install Debian's chromium for the browser test unless it is on PATH
	@command -v chromium >/dev/null || { \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo ">> installing chromium for the browser test (apt-get)" >&2; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || \
	  { $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }; }
	@command -v chromium >/dev/null || { echo "chromium is not on PATH after apt-get install chromium" >&2; exit 1; }

.PHONY: build
build: ## Build the plugin binary into bin/plugin/
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(PLUGIN) ./cmd/kubectl-expose_gw

.PHONY: install
install: build ## Put kubectl-expose_gw and its completion helper on PATH (into $(go env GOPATH)/bin)
	install -D -m 0755 $(PLUGIN) "$$($(GO) env GOPATH)/bin/kubectl-expose_gw"
	install -D -m 0755 krew/kubectl_complete-expose_gw "$$($(GO) env GOPATH)/bin/kubectl_complete-expose_gw"
	@echo "installed $$($(GO) env GOPATH)/bin/kubectl-expose_gw; try: kubectl expose-gw version"

.PHONY: lint
lint: $(ACTIONLINT_STAMP) ## gofmt, go vet (the plugin's packages for Windows and macOS too: the release builds them), actionlint
	@out=$$(gofmt -l . | grep -v '^test/tools/' || true); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd test/istiogw && $(GO) vet ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./cmd/... ./plugin/... ./portforward/... ./resolve/...
	GOOS=darwin GOARCH=arm64 $(GO) vet ./cmd/... ./plugin/... ./portforward/... ./resolve/...
	$(ACTIONLINT)

.PHONY: test
test: tools browser build lint release-check ## Build what is needed (chromium too) and run all tests against a real kube-apiserver and the Istio-driven gateway
	@# The smoke test verbosely first: its log shows the real kube-apiserver's version and the Istio CRDs.
	EXPOSE_GW_PLUGIN_DIR=$(CURDIR)/$(BIN)/plugin $(GO) test -count=1 -timeout 10m -v ./test/
	EXPOSE_GW_PLUGIN_DIR=$(CURDIR)/$(BIN)/plugin $(GO) test -count=1 -timeout 30m $$($(GO) list ./... | grep -v '/test$$')
	cd test/istiogw && $(GO) test -count=1 ./...

.PHONY: demo
demo: demo-tools build ## The seed story end to end on a local sandbox (KEEP=1 keeps it running)
	EXPOSE_GW_PLUGIN_DIR=$(CURDIR)/$(BIN)/plugin KEEP=$(KEEP) $(GO) run ./test/demo

.PHONY: bench
bench: tools build ## Proxy req/s and added latency with wrk: the test gateway, nginx, kubectl port-forward, proxy direct and port-forward; cluster on a CPU of its own (split), then all on every CPU (shared)
	$(GO) test -count=1 -run NONE -bench BenchmarkProxyPath ./portforward/
	LAYOUT=split PLUGIN_DIR=$(CURDIR)/$(BIN)/plugin test/bench/proxy.sh
	LAYOUT=shared PLUGIN_DIR=$(CURDIR)/$(BIN)/plugin test/bench/proxy.sh

.PHONY: bench-url
bench-url: tools ## url -o env against the Istio docs' three kubectl look-ups, with hyperfine
	test/url/bench.sh

.PHONY: bench-check
bench-check: tools ## url SERVICE --check beside url SERVICE and a plain curl of the same URL (direct, and --check through a port-forward), with hyperfine (RUNS)
	test/check/bench.sh

.PHONY: bench-scale
bench-scale: tools ## expose re-run, list -A and url against kubectl get virtualservices -A at 0, 1,000 and 5,000 other teams' VirtualServices, with hyperfine (COUNTS, RUNS)
	test/bench/scale.sh

.PHONY: dist
dist: ## Snapshot release, offline: goreleaser's six archives and checksums.txt, then the Krew manifest, into dist/: make dist VERSION=v1.2.3 RELEASE_URL=<base URL>
	@$(GO) build -o $(RENDER) ./krew/render
	@$(RENDER) -check -version "$(VERSION)" -release-url "$(RELEASE_URL)"
	@$(MAKE) --no-print-directory -s $(GORELEASER_STAMP)
	@git rev-parse -q --verify HEAD >/dev/null || { echo "make dist: $(CURDIR) is not a git checkout with a commit: expected one, goreleaser dates the archives with HEAD's commit time" >&2; exit 1; }
	@# goreleaser reads git's remote URL and, without one, ignores git entirely
	@# in a snapshot (no tag, no commit time): lend a checkout without a remote
	@# the project's, for this command only.
	@remote=; git ls-remote --get-url >/dev/null 2>&1 || \
	  remote="GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://$(PKG).git"; \
	  echo "$(GORELEASER) release --snapshot --clean   (tag $(VERSION), commit $(COMMIT))"; \
	  env $$remote GORELEASER_CURRENT_TAG="$(VERSION)" COMMIT="$(COMMIT)" $(GORELEASER) release --snapshot --clean
	@mkdir -p "$(DIST)"
	cd dist/goreleaser && cp $$(awk '{print $$2}' checksums.txt) checksums.txt "$(abspath $(DIST))/"
	$(RENDER) -version "$(VERSION)" -release-url "$(RELEASE_URL)" -checksums "$(DIST)/checksums.txt" -out "$(DIST)/expose-gw.yaml"
	@cat "$(DIST)/checksums.txt"

.PHONY: release-check
release-check: $(GORELEASER_STAMP) ## goreleaser check of .goreleaser.yaml
	$(GORELEASER) check

$(GORELEASER_STAMP):
	@echo ">> building goreleaser $(GORELEASER_VERSION) (cold: several minutes)" >&2
	GOBIN=$(abspath $(dir $@)) $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
	touch $@

$(ACTIONLINT_STAMP):
	GOBIN=$(abspath $(dir $@)) $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	touch $@

.PHONY: krew-tools
krew-tools: $(KREW_TOOLS)/.$(KREW_VERSION) ## Build krew and validate-krew-manifest for the Krew tests

$(KREW_TOOLS)/.$(KREW_VERSION):
	GOBIN=$(CURDIR)/$(KREW_TOOLS) $(GO) install sigs.k8s.io/krew/cmd/krew@$(KREW_VERSION) sigs.k8s.io/krew/cmd/validate-krew-manifest@$(KREW_VERSION)
	touch $@

.PHONY: clean
clean: ## Remove built plugin binaries (keeps the cached control plane)
	rm -rf $(BIN)/plugin dist
