# cloudlet's Python runtime client: it imports the function's handler module,
# then loops over the Lambda Runtime API (GET next, POST response/error) as the
# managed python3.x runtimes do. Behaviour follows shared/specs/lambda.md §4;
# the code is cloudlet's own. It must run on Python 3.8 and later, and it
# imports little because every import is paid on each cold start.
#
# The file is named bootstrap.py on purpose: stack traces drop leading frames
# whose file path contains "/bootstrap.py" (spec §4.5).

import json
import os
import socket
import sys
import time

_API_PREFIX = "/2018-06-01/runtime"
_LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"


class RuntimeClient(object):
    """A minimal HTTP/1.1 client for one keep-alive connection to the Runtime API.

    http.client would cost several milliseconds of imports on every cold start;
    the Runtime API needs only Content-Length bodies and (defensively) chunked
    responses."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host = host
        self.port = int(port)
        self.address = address
        self.sock = None
        self.rfile = None

    def _connect(self):
        sock = socket.create_connection((self.host, self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.rfile = sock.makefile("rb")

    def _close(self):
        if self.sock is not None:
            try:
                self.rfile.close()
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.rfile = None

    def request(self, method, path, body=b"", headers=None):
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, path, self.address, len(body))
        if headers:
            for k, v in headers.items():
                head += "%s: %s\r\n" % (k, v)
        head = (head + "\r\n").encode("latin-1")
        reused = self.sock is not None
        try:
            return self._roundtrip(head, body)
        except OSError:
            # A kept-alive connection may have been closed by the server; retry
            # once on a fresh one. A fresh connection that fails is fatal.
            self._close()
            if not reused:
                raise
        return self._roundtrip(head, body)

    def _roundtrip(self, head, body):
        if self.sock is None:
            self._connect()
        if len(body) < 65536:
            self.sock.sendall(head + body)
        else:
            self.sock.sendall(head)
            self.sock.sendall(body)
        return self._read_response()

    def _read_response(self):
        line = self.rfile.readline()
        if not line:
            raise ConnectionError("runtime api closed the connection")
        parts = line.split(None, 2)
        status = int(parts[1])
        headers = {}
        while True:
            line = self.rfile.readline()
            if not line:
                raise ConnectionError("runtime api closed the connection")
            if line in (b"\r\n", b"\n"):
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self._read_exact(size))
                self.rfile.readline()
            body = b"".join(chunks)
        else:
            body = self._read_exact(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def _read_exact(self, n):
        data = self.rfile.read(n)
        if len(data) != n:
            raise ConnectionError("runtime api closed the connection mid-body")
        return data

    def next(self):
        while True:
            status, headers, body = self.request("GET", _API_PREFIX + "/invocation/next")
            if status == 200:
                return headers, body
            # 403/500: the platform refuses us; there is nothing sensible left
            # to do but exit and let it reset the environment.
            sys.stderr.write("runtime api: next returned %d: %s\n" % (status, body.decode("utf-8", "replace")))
            sys.exit(1)

    def post_response(self, request_id, body, content_type):
        return self.request(
            "POST",
            "%s/invocation/%s/response" % (_API_PREFIX, request_id),
            body,
            {"Content-Type": content_type},
        )

    def post_error(self, request_id, payload, error_type):
        return self.request(
            "POST",
            "%s/invocation/%s/error" % (_API_PREFIX, request_id),
            _to_json_bytes(payload),
            {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type},
        )

    def post_init_error(self, payload, error_type):
        return self.request(
            "POST",
            _API_PREFIX + "/init/error",
            _to_json_bytes(payload),
            {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type},
        )


def _to_json_bytes(obj):
    return json.dumps(obj).encode("utf-8")


class FaultError(Exception):
    """A failure with a Lambda errorType (Runtime.*), reported instead of a raw exception."""

    def __init__(self, error_type, message, stack=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.stack = stack if stack is not None else []


def _user_frames(tb):
    import traceback

    frames = traceback.extract_tb(tb)
    i = 0
    while i < len(frames) and "/bootstrap.py" in frames[i].filename:
        i += 1
    return traceback.format_list(frames[i:])


def _error_payload(exc, request_id):
    if isinstance(exc, FaultError):
        return {
            "errorMessage": exc.message,
            "errorType": exc.error_type,
            "requestId": request_id,
            "stackTrace": exc.stack,
        }
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": _user_frames(exc.__traceback__),
    }


def _log_error(payload):
    # Plain-stdout mode (spec §4.5): one log line, parts joined with "\r",
    # leading spaces of trace lines turned into no-break spaces.
    parts = ["[ERROR] %s: %s" % (payload["errorType"], payload["errorMessage"]), "Traceback (most recent call last):"]
    for entry in payload["stackTrace"]:
        for line in str(entry).rstrip("\n").split("\n"):
            stripped = line.lstrip(" ")
            parts.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    _write_stdout("\r".join(parts) + "\n")


def _write_stdout(text):
    data = text.encode("utf-8", "replace")
    while data:
        n = os.write(1, data)
        data = data[n:]


def _load_handler(handler):
    """Resolves "module.function" (spec §4.1) or raises FaultError (§4.2)."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    modname = modname.replace("/", ".")
    if modname.split(".")[0] in sys.builtin_module_names:
        raise FaultError(
            "Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % modname
        )
    import importlib

    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        stack = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, (e.text or "").strip())]
        raise FaultError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), stack)
    fn = getattr(module, fname, None)
    if fn is None:
        raise FaultError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, identity_id=None, pool_id=None):
        self.cognito_identity_id = identity_id
        self.cognito_identity_pool_id = pool_id


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __init__(self, d):
        self.installation_id = d.get("installation_id")
        self.app_title = d.get("app_title")
        self.app_version_name = d.get("app_version_name")
        self.app_version_code = d.get("app_version_code")
        self.app_package_name = d.get("app_package_name")


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]

    def __init__(self, d):
        self.custom = d.get("custom")
        self.env = d.get("env")
        client = d.get("client")
        self.client = Client(client) if isinstance(client, dict) else None


class LambdaContext(object):
    """The context argument (spec §4.3): memory_limit_in_mb is a str, as on AWS."""

    def __init__(self, request_id, deadline_ms, invoked_arn, identity, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = identity
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        _write_stdout(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
            )
        )


def _make_context(request_id, headers):
    try:
        deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
    except ValueError:
        deadline_ms = 0
    identity = CognitoIdentity()
    raw = headers.get("lambda-runtime-cognito-identity")
    if raw:
        try:
            d = json.loads(raw)
        except ValueError as e:
            raise FaultError("Runtime.LambdaContextUnmarshalError", "Unable to parse Cognito Identity JSON: %s" % e)
        identity = CognitoIdentity(d.get("cognitoIdentityId"), d.get("cognitoIdentityPoolId"))
    client_context = None
    raw = headers.get("lambda-runtime-client-context")
    if raw:
        try:
            client_context = ClientContext(json.loads(raw))
        except (ValueError, AttributeError) as e:
            raise FaultError("Runtime.LambdaContextUnmarshalError", "Unable to parse Client Context JSON: %s" % e)
    return LambdaContext(
        request_id, deadline_ms, headers.get("lambda-runtime-invoked-function-arn"), identity, client_context
    )


def _json_default(o):
    # simplejson (which AWS uses) writes Decimal as a bare number; the standard
    # json module cannot emit raw text, so integral values become int and the
    # rest float.
    if type(o).__name__ == "Decimal":
        return int(o) if o.is_finite() and o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def _ensure_ascii():
    # python3.12 and later emit non-ASCII as UTF-8 (spec §4.4).
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    prefix = "AWS_Lambda_python3."
    if env.startswith(prefix):
        try:
            return int(env[len(prefix):]) < 12
        except ValueError:
            pass
    return True


class _RequestState(object):
    request_id = ""


def _setup_logging(state):
    """Gives the root logger AWS's handler (spec §4.6) the moment the function
    first imports logging, before its code can touch the module, so that
    logging.basicConfig() is a no-op as on AWS. Functions that never log do
    not pay for importing logging on their cold start."""
    if "logging" in sys.modules:
        _configure_logging(sys.modules["logging"], state)
        return
    sys.meta_path.insert(0, _LoggingImportHook(state))


class _LoggingImportHook(object):
    def __init__(self, state):
        self.state = state

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find else None
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        real_exec = loader.exec_module
        state = self.state

        def exec_module(module):
            try:
                real_exec(module)
            finally:
                del loader.exec_module
            _configure_logging(module, state)

        loader.exec_module = exec_module
        return spec


def _configure_logging(logging, state):
    class Handler(logging.Handler):
        def emit(self, record):
            try:
                msg = self.format(record)
            except Exception:
                self.handleError(record)
                return
            _write_stdout(msg.replace("\n", "\r") + "\n")

    class RequestIDFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = state.request_id
            return True

    formatter = logging.Formatter(_LOG_FORMAT, "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    h = Handler()
    h.setFormatter(formatter)
    h.addFilter(RequestIDFilter())
    root = logging.getLogger()
    root.addHandler(h)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


class _Unbuffered(object):
    """Makes print() reach the pipe at once, so log lines are never held back."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        n = self._stream.write(data)
        self._stream.flush()
        return n

    def writelines(self, lines):
        self._stream.writelines(lines)
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _invoke(client, handler, headers, body, ensure_ascii, state):
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    state.request_id = request_id
    trace = headers.get("lambda-runtime-trace-id")
    if trace:
        os.environ["_X_AMZN_TRACE_ID"] = trace
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = _make_context(request_id, headers)
        content_type = headers.get("content-type", "application/json")
        if content_type.startswith("application/json") or not content_type:
            try:
                event = json.loads(body)
            except ValueError as e:
                raise FaultError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        else:
            event = body
        result = handler(event, context)
    except Exception as e:
        payload = _error_payload(e, request_id)
        _log_error(payload)
        client.post_error(request_id, payload, payload["errorType"])
        return
    if isinstance(result, (bytes, bytearray)):
        client.post_response(request_id, bytes(result), "application/unknown")
        return
    try:
        if result is None:
            data = b"null"
        else:
            data = json.dumps(result, ensure_ascii=ensure_ascii, default=_json_default).encode("utf-8")
    except (TypeError, ValueError) as e:
        payload = {
            "errorMessage": "Unable to marshal response: %s" % e,
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
        _log_error(payload)
        client.post_error(request_id, payload, payload["errorType"])
        return
    # A 413 (response too large) is the platform's to report to the caller;
    # the environment stays usable, so carry on to the next event.
    client.post_response(request_id, data, "application/json")


def _standby(fd):
    """Runs in a standby process: one the platform starts before it knows the
    function, and hands a function over later (sandbox/standby.go). It waits on
    the control socket fd for the function's environment, then takes it on as
    if the process had been started with it; main() then runs Init as usual."""
    env = os.environb
    # The platform rewrites the block of environment strings this process was
    # started with (what /proc/<pid>/environ shows) at handoff: take the C
    # environment off it first.
    for k in list(env):
        env[k] = env[k]
    import importlib  # noqa: F401 (Init imports it before the handler anyway)

    os.write(fd, b"ready\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 65536)
        if not chunk:
            os._exit(0)  # dropped before handoff
        data += chunk
    os.close(fd)
    spec = json.loads(data.decode("utf-8"))
    env.clear()
    for kv in spec["env"]:
        k, _, v = kv.partition("=")
        os.environ[k] = v
    os.chdir(spec["cwd"])
    time.tzset()
    path = os.environ.get("PYTHONPATH")
    if path:
        # As the interpreter does with PYTHONPATH as it starts (site's
        # removeduppaths): entries made absolute, before the standard ones,
        # duplicates dropped; the script's directory stays first.
        seen = set()
        rest = []
        for p in [os.path.abspath(e) for e in path.split(os.pathsep)] + sys.path[1:]:
            if p not in seen:
                seen.add(p)
                rest.append(p)
        sys.path[1:] = rest


def main():
    sys.stdout = _Unbuffered(sys.stdout)
    sys.stderr = _Unbuffered(sys.stderr)
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    # The task root comes first (spec §4.1); our own directory last, so that a
    # user module named like ours cannot be shadowed by us.
    sys.path = [task_root] + [p for p in sys.path if p and os.path.abspath(p) != runtime_dir] + [runtime_dir]
    state = _RequestState()
    _setup_logging(state)
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = _load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        payload = _error_payload(e, "")
        _log_error(payload)
        client.post_init_error(payload, payload["errorType"])
        _write_stdout(
            "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code.\n"
        )
        sys.exit(1)
    ensure_ascii = _ensure_ascii()
    while True:
        headers, body = client.next()
        _invoke(client, handler, headers, body, ensure_ascii, state)


if __name__ == "__main__":
    if "_CLOUDLET_STANDBY" in os.environ:
        _standby(int(os.environ["_CLOUDLET_STANDBY"]))
    main()
