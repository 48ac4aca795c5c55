@echo off
rem Shell completion for `kubectl expose-gw` on Windows: kubectl 1.26+ runs
rem kubectl_complete-expose_gw (found on PATH) with the words typed after
rem `kubectl expose-gw`. Put this file on PATH next to kubectl-expose_gw.exe.
kubectl-expose_gw.exe __complete %*
