# Sourced by the project's scripts: puts a Node.js >= 22 first on PATH.
# The machine's Node may be older (Debian ships 20); @pulumi/pulumi needs 22. Node 22 comes from
# the npm registry's `node` package, which ships real binaries, cached outside the work tree.
CTO_NODE_VERSION="${CTO_NODE_VERSION:-22.23.3}"
cto_node_dir="${CTO_CACHE_DIR:-$HOME/.cache/cto}/node-$CTO_NODE_VERSION"
cto_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(cto_node_major)" -lt 22 ]; then
  if [ ! -x "$cto_node_dir/node_modules/.bin/node" ]; then
    echo "[node] Node $(node --version 2>/dev/null || echo missing) is older than 22; installing node@$CTO_NODE_VERSION from the npm registry into $cto_node_dir" >&2
    mkdir -p "$cto_node_dir"
    npm install --prefix "$cto_node_dir" --no-audit --no-fund --no-save "node@$CTO_NODE_VERSION" >&2
  fi
  export PATH="$cto_node_dir/node_modules/.bin:$PATH"
fi
if [ "$(cto_node_major)" -lt 22 ]; then
  echo "[node] could not get Node.js >= 22 (have $(node --version 2>/dev/null || echo none)). Install Node 22 or 24 and retry." >&2
  return 1 2>/dev/null || exit 1
fi
