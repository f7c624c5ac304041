#!/usr/bin/env python3
"""Structural checks of the deployment files, called by deploy/check.

    python3 deploy/check.py SUBCOMMAND [ARGS]

Subcommands: compose [SCHEMA.json], k8s, nginx, dockerfile, env, systemd.
Each prints what it verified and exits 1 on the first group of failures.
Run from the repository root. Needs PyYAML; the schema checks use jsonschema and
kubernetes-validate when they can be imported.
"""

import json
import os
import re
import sys

import yaml

DEPLOY = "deploy"
FAILURES = []


def ok(msg):
    print(f"    ok: {msg}")


def bad(msg):
    FAILURES.append(msg)
    print(f"    FAIL: {msg}")


def expect(cond, msg, detail=""):
    if cond:
        ok(msg)
    else:
        bad(msg + (f" ({detail})" if detail else ""))
    return bool(cond)


def finish():
    if FAILURES:
        sys.exit(1)


# --- YAML with duplicate keys refused (PyYAML keeps the last one silently) ---------


class StrictLoader(yaml.SafeLoader):
    pass


def _mapping_no_duplicates(loader, node, deep=False):
    # Only the keys written in this mapping count: those merged in with "<<" may be
    # overridden, as compose allows.
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_no_duplicates
)


def load_yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.load_all(f, Loader=StrictLoader) if d is not None]


# --- the settings the server knows -------------------------------------------------

FALLBACK_KNOWN = [
    "CONFIG", "DATA_DIR", "BIND", "PUBLIC_URL", "DATABASE_URL", "DB_POOL_SIZE",
    "SMTP_URL", "MAIL_FROM", "MEILISEARCH_URL", "MEILISEARCH_KEY", "MEILISEARCH_INDEX", "LOG",
    "LOG_FORMAT", "RATE_LIMITS", "SECRET_KEY", "TRUST_PROXY", "LIVE_PING_SECONDS",
    "LIVE_TIMEOUT_SECONDS", "LIVE_BUFFER", "LIVE_COALESCE_MS",
]


def known_settings():
    """INDABA_* names the server accepts: read from server/src/config.rs (the KNOWN
    list), so that these files cannot drift from the code; a built-in copy when the
    source cannot be read."""
    try:
        src = open("server/src/config.rs", encoding="utf-8").read()
        m = re.search(r"const KNOWN: &\[&str\] = &\[(.*?)\];", src, re.S)
        names = re.findall(r'"([A-Z0-9_]+)"', m.group(1)) if m else []
        if len(names) >= 5:
            return {"INDABA_" + n for n in names}, "server/src/config.rs"
    except OSError:
        pass
    return {"INDABA_" + n for n in FALLBACK_KNOWN}, "built-in list (config.rs not parsed)"


def check_indaba_names(where, names):
    known, source = known_settings()
    indaba = sorted(n for n in names if n.startswith("INDABA_"))
    unknown = [n for n in indaba if n not in known]
    expect(
        not unknown,
        f"{where}: {len(indaba)} INDABA_* names, all known to the server ({source})",
        f"unknown: {', '.join(unknown)}",
    )


# --- compose -----------------------------------------------------------------------

_VAR = re.compile(
    r"\$(?:(?P<esc>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)
_BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|-|:\?|\?|:\+|\+)(?P<arg>.*))?$", re.S)


class MissingVariable(Exception):
    pass


def interpolate(value, env, used):
    """Compose's ${...} interpolation: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d},
    ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt}."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, used) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, used) for v in value]
    if not isinstance(value, str):
        return value

    def repl(m):
        if m.group("esc"):
            return "$"
        if m.group("named"):
            used.add(m.group("named"))
            return env.get(m.group("named"), "")
        b = _BRACED.match(m.group("braced"))
        if not b:
            raise ValueError(f"unsupported interpolation ${{{m.group('braced')}}}")
        name, op, arg = b.group("name"), b.group("op"), b.group("arg")
        used.add(name)
        val = env.get(name)
        if op is None:
            return val or ""
        if op == ":-":
            return val if val else arg
        if op == "-":
            return val if val is not None else arg
        if op == ":?":
            if not val:
                raise MissingVariable(f"{name}: {arg}")
            return val
        if op == "?":
            if val is None:
                raise MissingVariable(f"{name}: {arg}")
            return val
        if op == ":+":
            return arg if val else ""
        return arg if val is not None else ""

    return _VAR.sub(repl, value)


REQUIRED_SERVICES = ["indaba-1", "indaba-2", "postgres", "meilisearch", "nginx"]
REQUIRED_SECRETS = ["INDABA_SECRET_KEY", "POSTGRES_PASSWORD", "MEILI_MASTER_KEY"]
DUMMY_ENV = {
    "INDABA_SECRET_KEY": "k" * 48,
    "POSTGRES_PASSWORD": "dummy-postgres-password",
    "MEILI_MASTER_KEY": "dummy-meilisearch-master-key",
}


def env_example_names(path):
    names = set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=", line)
        if m:
            names.add(m.group(1))
    return names


def cmd_compose(schema_path=None):
    path = f"{DEPLOY}/compose.yaml"
    raw_text = open(path, encoding="utf-8").read()
    try:
        (raw,) = load_yaml_docs(path)
    except (yaml.YAMLError, ValueError) as e:
        bad(f"{path}: not one valid YAML document: {e}")
        finish()
    ok(f"{path}: parsed (PyYAML, duplicate keys refused, merge keys resolved)")

    services = raw.get("services") or {}
    missing = [s for s in REQUIRED_SERVICES if s not in services]
    expect(not missing, f"services present: {', '.join(REQUIRED_SERVICES)}", f"missing {missing}")

    # Interpolation as compose does it: with the secrets, and without each of them.
    used = set()
    try:
        doc = interpolate(raw, DUMMY_ENV, used)
        ok(f"interpolated with dummy values for {', '.join(REQUIRED_SECRETS)}")
    except (MissingVariable, ValueError) as e:
        bad(f"interpolation failed with all secrets set: {e}")
        finish()
    for name in REQUIRED_SECRETS:
        env = {k: v for k, v in DUMMY_ENV.items() if k != name}
        try:
            interpolate(raw, env, set())
            bad(f"compose would start without {name} (use ${{{name}:?...}})")
        except MissingVariable:
            ok(f"without {name} compose refuses to start (${{{name}:?...}})")
    for name in ("INDABA_SECRET_KEY", "POSTGRES_PASSWORD"):
        expect("${" + name + ":?" in raw_text, f"{name} uses the required ${{VAR:?}} syntax")

    example = f"{DEPLOY}/env.example"
    if os.path.exists(example):
        declared = env_example_names(example)
        undeclared = sorted(used - declared)
        expect(not undeclared, f"every variable compose.yaml uses is in {example} ({len(used)})",
               f"not in env.example: {', '.join(undeclared)}")
    else:
        bad(f"{example} is missing")

    # JSON schema of the Compose Specification.
    if schema_path:
        try:
            import jsonschema
        except ImportError:
            print("    skip: compose schema (jsonschema not importable)")
        else:
            schema = json.load(open(schema_path, encoding="utf-8"))
            validator = jsonschema.Draft7Validator(schema)
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            for e in errors[:10]:
                bad(f"schema: {'/'.join(map(str, e.path)) or '<root>'}: {e.message}")
            if not errors:
                ok(f"valid against the Compose Specification schema ({os.path.basename(schema_path)})")
    else:
        print("    skip: Compose Specification schema (not available; see deploy/check output)")

    services = doc.get("services") or {}
    for name in ("indaba-1", "indaba-2"):
        svc = services.get(name) or {}
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
        check_indaba_names(f"{name} environment", env.keys())
        expect(str(env.get("INDABA_TRUST_PROXY")) == "on", f"{name}: INDABA_TRUST_PROXY=on")
        expect(len(env.get("INDABA_SECRET_KEY", "")) >= 32, f"{name}: INDABA_SECRET_KEY from .env")
        expect(str(env.get("INDABA_DATABASE_URL", "")).startswith("postgres://"),
               f"{name}: INDABA_DATABASE_URL is PostgreSQL")
        dep = (svc.get("depends_on") or {}).get("postgres") or {}
        expect(dep.get("condition") == "service_healthy",
               f"{name}: depends_on postgres with condition service_healthy")
        build = svc.get("build") or {}
        ctx = os.path.normpath(os.path.join(DEPLOY, build.get("context", ".")))
        dockerfile = os.path.join(ctx, build.get("dockerfile", "Dockerfile"))
        expect(os.path.isfile(dockerfile) and os.path.isfile(os.path.join(ctx, "Cargo.toml")),
               f"{name}: build context {ctx}/ (has Cargo.toml) and {dockerfile} exist")
        vols = [v.split(":")[1] if isinstance(v, str) else v.get("target") for v in svc.get("volumes") or []]
        expect("/data" in vols, f"{name}: its own volume at /data")
        grace = str(svc.get("stop_grace_period", "10s"))
        m = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", grace)
        seconds = int(m.group(1) or 0) * 60 + int(m.group(2) or 0) if m and grace else -1
        expect(seconds > 30, f"{name}: stop_grace_period {grace} over the server's 30 s drain")
    vol1 = (services.get("indaba-1") or {}).get("volumes")
    vol2 = (services.get("indaba-2") or {}).get("volumes")
    expect(vol1 != vol2, "indaba-1 and indaba-2 do not share a data volume")

    pg = services.get("postgres") or {}
    expect(str(pg.get("image", "")).startswith("postgres:16"), "postgres: image postgres:16")
    expect("test" in (pg.get("healthcheck") or {}), "postgres: has a healthcheck")
    ms = services.get("meilisearch") or {}
    expect(str(ms.get("image", "")).startswith("getmeili/meilisearch:v1"),
           "meilisearch: image getmeili/meilisearch:v1.x")
    expect((ms.get("environment") or {}).get("MEILI_MASTER_KEY"), "meilisearch: master key set")
    ngx = services.get("nginx") or {}
    ports = [str(p) for p in ngx.get("ports") or []]
    expect(any(p.endswith("8080:80") for p in ports), "nginx: host port 8080 -> 80", f"{ports}")
    mounts = [v for v in ngx.get("volumes") or [] if isinstance(v, str)]
    conf = [m for m in mounts if m.split(":")[1] == "/etc/nginx/nginx.conf"]
    expect(conf and os.path.isfile(os.path.normpath(os.path.join(DEPLOY, conf[0].split(":")[0]))),
           "nginx: deploy/nginx.conf mounted as /etc/nginx/nginx.conf")
    declared_vols = set((doc.get("volumes") or {}).keys())
    for sname, svc in services.items():
        for v in svc.get("volumes") or []:
            src = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
            if src and not src.startswith((".", "/")) and src not in declared_vols:
                bad(f"{sname}: named volume {src} is not declared under volumes:")
    ok("named volumes all declared")
    finish()


# --- Kubernetes --------------------------------------------------------------------


def find_kind(docs, kind):
    return [d for _, d in docs if d.get("kind") == kind]


def cmd_k8s():
    kdir = f"{DEPLOY}/k8s"
    docs = []  # (file, doc)
    files = sorted(f for f in os.listdir(kdir) if f.endswith((".yaml", ".yml")))
    for f in files:
        path = f"{kdir}/{f}"
        try:
            loaded = load_yaml_docs(path)
        except yaml.YAMLError as e:
            bad(f"{path}: YAML error: {e}")
            continue
        kinds = []
        for d in loaded:
            if not isinstance(d, dict):
                bad(f"{path}: a document is not a mapping")
                continue
            meta = d.get("metadata") or {}
            if d.get("kind") == "Kustomization":
                kinds.append("Kustomization")
                docs.append((f, d))
                continue
            if not (d.get("apiVersion") and d.get("kind") and meta.get("name")):
                bad(f"{path}: a document lacks apiVersion, kind or metadata.name")
                continue
            if "namespace" in meta:
                bad(f"{path}: {d['kind']}/{meta['name']} sets a namespace (keep them namespace-agnostic)")
            kinds.append(f"{d['kind']}/{meta['name']}")
            docs.append((f, d))
        ok(f"{path}: parsed: {', '.join(kinds) or 'no documents'}")
    if FAILURES:
        finish()

    # Schema validation against the Kubernetes OpenAPI schemas (strict: unknown
    # fields are errors).
    try:
        import kubernetes_validate
        from kubernetes_validate import utils as kvu
    except ImportError:
        print("    skip: Kubernetes schema validation (kubernetes-validate not importable)")
    else:
        version = kvu.latest_version()
        for f, d in docs:
            if d.get("kind") == "Kustomization":
                continue
            try:
                kubernetes_validate.validate(d, version, strict=True)
                ok(f"{f}: {d['kind']}/{d['metadata']['name']} valid (Kubernetes {version} schema, strict)")
            except Exception as e:  # ValidationError and friends
                bad(f"{f}: {d['kind']}/{d['metadata']['name']}: {getattr(e, 'message', e)}")

    deps = find_kind(docs, "Deployment")
    if not expect(len(deps) == 1, "one Deployment"):
        finish()
    dep = deps[0]
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels") or {}
    expect(spec.get("replicas") == 2, "Deployment: 2 replicas")
    expect(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
           "Deployment: selector matches the pod labels")
    expect(pod.get("enableServiceLinks") is False,
           "Deployment: enableServiceLinks false (no injected INDABA_SERVICE_HOST/INDABA_PORT)")
    psc = pod.get("securityContext") or {}
    expect(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 10001,
           "Deployment: runAsNonRoot, runAsUser 10001")
    expect(pod.get("terminationGracePeriodSeconds", 30) > 30,
           "Deployment: terminationGracePeriodSeconds over the server's 30 s drain")
    (c,) = pod["containers"]
    csc = c.get("securityContext") or {}
    expect(csc.get("readOnlyRootFilesystem") is True, "container: readOnlyRootFilesystem")
    expect(csc.get("allowPrivilegeEscalation") is False, "container: allowPrivilegeEscalation false")
    res = c.get("resources") or {}
    expect(res.get("requests") and res.get("limits"), "container: resource requests and limits")
    vols = {v["name"]: v for v in pod.get("volumes") or []}
    data_mount = [m for m in c.get("volumeMounts") or [] if m["mountPath"] == "/data"]
    expect(data_mount and "emptyDir" in vols.get(data_mount[0]["name"], {}),
           "container: emptyDir mounted at /data")
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports") or []}

    def probe(name):
        p = c.get(name) or {}
        http = p.get("httpGet") or {}
        port = http.get("port")
        resolved = ports.get(port) if isinstance(port, str) else port
        return http.get("path"), resolved, p

    path, port, _ = probe("livenessProbe")
    expect(path == "/healthz" and port == 8080, "livenessProbe: GET /healthz on 8080", f"{path} {port}")
    path, port, _ = probe("readinessProbe")
    expect(path == "/readyz" and port == 8080, "readinessProbe: GET /readyz on 8080", f"{path} {port}")
    path, port, sp = probe("startupProbe")
    budget = sp.get("periodSeconds", 10) * sp.get("failureThreshold", 3)
    expect(path and budget >= 300, f"startupProbe: {path}, {budget} s before liveness takes over")

    cms = {d["metadata"]["name"]: d for d in find_kind(docs, "ConfigMap")}
    secrets = {d["metadata"]["name"]: d for d in find_kind(docs, "Secret")}
    for ref in c.get("envFrom") or []:
        if "configMapRef" in ref:
            n = ref["configMapRef"]["name"]
            if expect(n in cms, f"envFrom configMap {n} defined in configmap.yaml"):
                data = cms[n].get("data") or {}
                check_indaba_names(f"ConfigMap {n}", data.keys())
                bind = str(data.get("INDABA_BIND", "0.0.0.0:8080"))
                expect(bind.endswith(":8080") and bind.startswith("0.0.0.0"),
                       f"ConfigMap {n}: INDABA_BIND {bind} listens on the container port")
        if "secretRef" in ref:
            n = ref["secretRef"]["name"]
            if expect(n in secrets, f"envFrom secret {n} matches secret.example.yaml"):
                data = secrets[n].get("stringData") or {}
                check_indaba_names(f"Secret {n}", data.keys())
                for key in ("INDABA_SECRET_KEY", "INDABA_DATABASE_URL", "INDABA_SMTP_URL"):
                    expect(key in data, f"secret.example.yaml: {key} placeholder")

    svcs = find_kind(docs, "Service")
    if expect(len(svcs) == 1, "one Service"):
        svc = svcs[0]
        sel = svc["spec"].get("selector") or {}
        expect(sel and all(labels.get(k) == v for k, v in sel.items()),
               "Service: selector matches the pod labels")
        svc_ports = {p.get("name"): p for p in svc["spec"]["ports"]}
        for p in svc_ports.values():
            tp = p.get("targetPort")
            expect((tp in ports) if isinstance(tp, str) else tp in ports.values(),
                   f"Service: targetPort {tp} is a container port")
    ings = find_kind(docs, "Ingress")
    if expect(len(ings) == 1, "Ingress exists"):
        ing = ings[0]
        ann = ing["metadata"].get("annotations") or {}
        for k in ("proxy-read-timeout", "proxy-send-timeout"):
            v = ann.get(f"nginx.ingress.kubernetes.io/{k}", "0")
            expect(int(v) >= 3600, f"Ingress: {k} {v} (WebSockets)")
        expect(ann.get("nginx.ingress.kubernetes.io/proxy-body-size") == "5m", "Ingress: proxy-body-size 5m")
        expect(ing["spec"].get("ingressClassName") == "nginx", "Ingress: ingressClassName nginx")
        expect(all(t.get("secretName") for t in ing["spec"].get("tls") or [{}]), "Ingress: TLS secretName")
        for rule in ing["spec"].get("rules") or []:
            for p in rule["http"]["paths"]:
                b = p["backend"]["service"]
                port = b["port"].get("name") or b["port"].get("number")
                ok_port = svcs and (port in svc_ports or port in [q["port"] for q in svc_ports.values()])
                expect(svcs and b["name"] == svcs[0]["metadata"]["name"] and ok_port,
                       f"Ingress: {p['path']} -> Service {b['name']}:{port} exists")
    pdbs = find_kind(docs, "PodDisruptionBudget")
    if expect(len(pdbs) == 1, "PodDisruptionBudget exists"):
        pdb = pdbs[0]["spec"]
        expect(pdb.get("minAvailable") == 1, "PodDisruptionBudget: minAvailable 1")
        ml = (pdb.get("selector") or {}).get("matchLabels") or {}
        expect(ml and all(labels.get(k) == v for k, v in ml.items()),
               "PodDisruptionBudget: selector matches the pod labels")

    kus = [d for _, d in docs if d.get("kind") == "Kustomization"]
    if expect(len(kus) == 1, "kustomization.yaml present"):
        listed = kus[0].get("resources") or []
        expected = sorted(f for f in files if f not in ("kustomization.yaml", "secret.example.yaml"))
        expect(sorted(listed) == expected, f"kustomization lists {', '.join(expected)}", f"lists {listed}")
        expect("secret.example.yaml" not in listed, "kustomization does not list secret.example.yaml")
    finish()


# --- nginx -------------------------------------------------------------------------


def proxy_regions(text):
    return re.findall(r"^[ \t]*# BEGIN proxy rules.*?# END proxy rules$", text, re.S | re.M)


def strip_comments(text):
    return "\n".join(re.sub(r"#.*$", "", line).rstrip() for line in text.splitlines())


def cmd_nginx():
    main = open(f"{DEPLOY}/nginx.conf", encoding="utf-8").read()
    loop = open(f"{DEPLOY}/nginx.loopback.conf", encoding="utf-8").read()
    rm, rl = proxy_regions(main), proxy_regions(loop)
    expect(len(rm) == 2 and rm == rl,
           "the proxy rules (map, server body) are identical in nginx.conf and nginx.loopback.conf",
           f"{len(rm)} and {len(rl)} marked regions, equal: {rm == rl}")
    m, lo = strip_comments(main), strip_comments(loop)
    for label, text in (("nginx.conf", m), ("nginx.loopback.conf", lo)):
        expect(re.search(r"map \$http_upgrade \$connection_upgrade", text), f"{label}: Upgrade map")
        expect(re.search(r"location /api/v1/live/ \{[^}]*proxy_read_timeout 3600s;", text),
               f"{label}: /api/v1/live/ with proxy_read_timeout 3600s")
        expect("client_max_body_size 5m;" in text, f"{label}: client_max_body_size 5m")
        expect(re.search(r"gzip on;", text) and "application/json" in text, f"{label}: gzip incl. JSON")
        expect("proxy_set_header X-Forwarded-For" in text and "proxy_set_header X-Forwarded-Proto" in text,
               f"{label}: X-Forwarded-For and X-Forwarded-Proto set")
        expect(re.search(r"^\s*events\s*\{", text, re.M) and re.search(r"^\s*http\s*\{", text, re.M),
               f"{label}: complete (events{{}} and http{{}})")
    expect(re.search(r"server indaba-1:8080.*\n\s*server indaba-2:8080", m),
           "nginx.conf: upstream indaba-1:8080, indaba-2:8080 (the compose service names)")
    expect(re.search(r"server 127\.0\.0\.1:18081.*\n\s*server 127\.0\.0\.1:18082", lo),
           "nginx.loopback.conf: upstream 127.0.0.1:18081, 127.0.0.1:18082")
    expect(re.search(r"listen 127\.0\.0\.1:18080;", lo), "nginx.loopback.conf: listen 127.0.0.1:18080")
    expect(re.search(r"^daemon off;", lo, re.M), "nginx.loopback.conf: daemon off")
    expect(not re.search(r"^\s*user\s", lo, re.M), "nginx.loopback.conf: no user directive (non-root)")
    paths = re.findall(r"^\s*(?:pid|\w+_temp_path)\s+(\S+);", lo, re.M)
    expect(paths and all(p.startswith("/tmp/") for p in paths),
           f"nginx.loopback.conf: pid and temp paths under /tmp ({len(paths)})")
    expect(re.search(r"^\s*access_log off;", lo, re.M) and re.search(r"^error_log stderr", lo, re.M),
           "nginx.loopback.conf: error_log stderr, access_log off")
    expect(re.search(r"#\s*listen 443 ssl", main) and "Strict-Transport-Security" in main,
           "nginx.conf: commented TLS server block with HSTS")
    finish()


# --- Dockerfile --------------------------------------------------------------------


def dockerfile_instructions(text):
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    out, buf = [], ""
    for line in text.splitlines():
        s = line.strip()
        if not buf and (not s or s.startswith("#")):
            continue
        if buf and s.startswith("#"):
            continue
        if s.endswith("\\"):
            buf += s[:-1] + " "
            continue
        buf += s
        word, _, rest = buf.partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def cmd_dockerfile():
    path = f"{DEPLOY}/Dockerfile"
    text = open(path, encoding="utf-8").read()
    ins = dockerfile_instructions(text)
    expect(text.startswith("# syntax=docker/dockerfile:1"),
           "Dockerfile: '# syntax=docker/dockerfile:1' (BuildKit, for RUN --mount)")
    froms = [i for i, (k, _) in enumerate(ins) if k == "FROM"]
    expect(len(froms) >= 2, f"Dockerfile: multi-stage ({len(froms)} FROM)")
    final = ins[froms[-1]:] if froms else []
    users = [a for k, a in final if k == "USER"]
    expect(users and users[-1].split(":")[0] not in ("0", "root"),
           f"Dockerfile: final stage runs as non-root USER {users[-1] if users else '-'}")
    expect(not any(k == "ADD" and re.search(r"https?://", a) for k, a in ins), "Dockerfile: no ADD from URLs")
    expect(any(k == "EXPOSE" and "8080" in a.split() for k, a in final), "Dockerfile: EXPOSE 8080")
    expect(any(k == "VOLUME" and "/data" in a for k, a in final), "Dockerfile: VOLUME /data")
    expect(any(k == "ENTRYPOINT" and json.loads(a) == ["indaba"] for k, a in final),
           'Dockerfile: ENTRYPOINT ["indaba"]')
    expect(any(k == "CMD" and json.loads(a) == ["serve"] for k, a in final), 'Dockerfile: CMD ["serve"]')
    env = " ".join(a for k, a in final if k == "ENV")
    expect("INDABA_DATA_DIR=/data" in env and "INDABA_BIND=0.0.0.0:8080" in env,
           "Dockerfile: ENV INDABA_DATA_DIR=/data INDABA_BIND=0.0.0.0:8080")
    ignore_path = f"{DEPLOY}/Dockerfile.dockerignore"
    ignored = set()
    if expect(os.path.isfile(ignore_path), "Dockerfile.dockerignore next to the Dockerfile"):
        ignored = {l.strip().strip("/") for l in open(ignore_path) if l.strip() and not l.startswith("#")}
    sources = []
    for k, a in ins:
        if k == "COPY" and "--from=" not in a:
            parts = [p for p in a.split() if not p.startswith("--")]
            sources += parts[:-1]
    for s in dict.fromkeys(sources):
        top = s.strip("/").split("/")[0]
        expect(os.path.exists(s) and top not in ignored,
               f"Dockerfile: COPY {s} exists in the build context and is not dockerignored")
    for s in ("target", ".git", "data"):
        expect(s in ignored, f"Dockerfile.dockerignore excludes {s}")
    finish()


# --- env files and the systemd unit --------------------------------------------------


def cmd_env():
    for path in (f"{DEPLOY}/indaba.env.example", f"{DEPLOY}/env.example"):
        names = env_example_names(path)
        check_indaba_names(path, names)
        for line in open(path, encoding="utf-8"):
            s = line.strip()
            if s and not s.startswith("#") and not re.match(r"^[A-Z][A-Z0-9_]*=", s):
                bad(f"{path}: not a VAR=value line: {s}")
    finish()


SYSTEMD_REQUIRED = {
    "Type": None, "User": "indaba", "WorkingDirectory": "/var/lib/indaba",
    "EnvironmentFile": "-/etc/indaba/indaba.env", "ExecStart": "/usr/local/bin/indaba serve",
    "Restart": "on-failure", "KillSignal": "SIGTERM", "TimeoutStopSec": "40",
    "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
    "PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes", "ProtectClock": "yes",
    "ProtectHostname": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "yes", "RestrictRealtime": "yes", "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "SystemCallFilter": "@system-service",
    "SystemCallArchitectures": "native", "CapabilityBoundingSet": "", "AmbientCapabilities": "",
    "StateDirectory": "indaba", "UMask": "0077", "LimitNOFILE": "65536",
}


def cmd_systemd():
    path = f"{DEPLOY}/indaba.service"
    values = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
        if m:
            values.setdefault(m.group(1), []).append(m.group(2))
    missing = []
    for key, want in SYSTEMD_REQUIRED.items():
        got = values.get(key)
        if got is None or (want is not None and want not in got):
            missing.append(f"{key}={want if want is not None else '...'}")
    expect(not missing, f"{path}: the {len(SYSTEMD_REQUIRED)} required settings are present",
           f"missing or different: {', '.join(missing)}")
    expect(values.get("Type", [""])[0] in ("simple", "exec"), f"{path}: Type=simple or exec")
    finish()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    cmd, args = sys.argv[1], sys.argv[2:]
    table = {"compose": cmd_compose, "k8s": cmd_k8s, "nginx": cmd_nginx,
             "dockerfile": cmd_dockerfile, "env": cmd_env, "systemd": cmd_systemd}
    if cmd not in table:
        print(__doc__)
        sys.exit(2)
    table[cmd](*args)


if __name__ == "__main__":
    main()
