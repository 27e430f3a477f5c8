// cloudlet's Node.js runtime client: it loads the function's handler
// (CommonJS or ES module, async or callback style) and loops over the Lambda
// Runtime API as the managed nodejs runtimes do. Behaviour follows
// shared/specs/lambda.md §5.1; the code is cloudlet's own.
'use strict';

const fs = require('fs');
const path = require('path');
const http = require('http');
const util = require('util');

// The Runtime API's address; read in main(), after a standby's handoff.
let HOST = '';
let PORT = 0;
const PREFIX = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

let currentRequestId; // undefined during Init, as AWS logs it

// ---- logging (console.* → "<time>\t<request id>\t<LEVEL>\t<message>") ----

function writeOut(text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') return;
    }
  }
}

function logLine(level, message) {
  writeOut(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message.replace(/\n/g, '\r')}\n`);
}

function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [name, level] of Object.entries(levels)) {
    console[name] = (...args) => logLine(level, util.format(...args));
  }
  console.fatal = (...args) => logLine('FATAL', util.format(...args));
}

// ---- Runtime API client ----

function request(method, p, body, headers, via = agent) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const h = Object.assign({}, headers);
    if (data !== undefined) h['Content-Length'] = data.length;
    const req = http.request({ host: HOST, port: PORT, path: p, method, agent: via, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

function postError(p, payload) {
  return request('POST', p, JSON.stringify(payload), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': payload.errorType,
  });
}

// ---- errors ----

class RuntimeError extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

// toPayload is the body AWS's node runtimes post: errorType, errorMessage,
// trace (the stack split into lines) — no requestId, unlike Python (§5.1).
function toPayload(err) {
  try {
    if (err instanceof Error || util.types.isNativeError(err)) {
      return {
        errorType: err.name,
        errorMessage: err.message,
        trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
      };
    }
    return { errorType: typeof err, errorMessage: String(err), trace: [] };
  } catch (_) {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
}

function logError(prefix, payload) {
  logLine('ERROR', `${prefix} \t${JSON.stringify({ errorType: payload.errorType, errorMessage: payload.errorMessage, stack: payload.trace })}`);
}

// ---- handler resolution ----

function moduleType(file) {
  // The nearest package.json decides how a .js file is loaded.
  let dir = path.dirname(file);
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      return pkg.type === 'module' ? 'esm' : 'cjs';
    } catch (_) {
      // keep looking
    }
    const up = path.dirname(dir);
    if (up === dir) return 'cjs';
    dir = up;
  }
}

async function loadModule(root, moduleName) {
  const base = path.resolve(root, moduleName);
  const candidates = [
    [base, null],
    [base + '.js', null],
    [base + '.mjs', 'esm'],
    [base + '.cjs', 'cjs'],
  ];
  for (const [file, kind] of candidates) {
    let st;
    try {
      st = fs.statSync(file);
    } catch (_) {
      continue;
    }
    if (!st.isFile()) continue;
    const type = kind || (file.endsWith('.js') ? moduleType(file) : 'cjs');
    if (type === 'esm') return import(require('url').pathToFileURL(file).href);
    return require(file);
  }
  // Last: node's own resolution (a package directory, NODE_PATH).
  return require(require.resolve(moduleName, { paths: [root] }));
}

async function loadHandler(root, handler) {
  if (handler.includes('..')) {
    throw new RuntimeError('Runtime.MalformedHandlerName', "'" + handler + "' is not a valid handler name. Use absolute paths when specifying root directories in handler names.");
  }
  const slash = handler.lastIndexOf('/');
  const dir = slash >= 0 ? handler.slice(0, slash) : '';
  const rest = handler.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot < 0) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const moduleName = rest.slice(0, dot);
  const props = rest.slice(dot + 1);
  let mod;
  try {
    mod = await loadModule(path.resolve(root, dir), moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(e));
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new RuntimeError('Runtime.ImportModuleError', String(e));
    }
    throw e;
  }
  let fn = mod;
  for (const p of props.split('.')) {
    fn = fn == null ? undefined : fn[p];
  }
  if (fn === undefined) {
    throw new RuntimeError('Runtime.HandlerNotFound', handler + ' is undefined or not exported');
  }
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', handler + ' is not a function');
  }
  return fn;
}

// ---- invocation ----

function makeContext(id, headers, deadline) {
  const parse = (name, what) => {
    const raw = headers[name];
    if (!raw) return undefined;
    try {
      return JSON.parse(raw);
    } catch (e) {
      throw new RuntimeError('Runtime.LambdaContextUnmarshalError', 'Unable to parse ' + what + ' JSON: ' + e);
    }
  };
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse('lambda-runtime-cognito-identity', 'Cognito Identity'),
    clientContext: parse('lambda-runtime-client-context', 'Client Context'),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  return ctx;
}

// runHandler settles with {result} or {error}, whichever way the handler
// answers: a returned promise, or the callback. A callback result waits for
// the event loop to drain unless context.callbackWaitsForEmptyEventLoop is
// false; a handler that returns no promise and never calls back answers
// null once the loop is empty (§5.1).
function runHandler(fn, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    let waiting = null; // the callback's outcome, held until the loop drains
    const onBeforeExit = () => settle(waiting || { result: undefined });
    const waitForEmptyLoop = () => {
      if (process.listeners('beforeExit').indexOf(onBeforeExit) < 0) process.on('beforeExit', onBeforeExit);
    };
    const settle = (v) => {
      if (settled) return;
      settled = true;
      process.removeListener('beforeExit', onBeforeExit);
      resolve(v);
    };
    const callback = (err, result) => {
      const out = err !== undefined && err !== null ? { error: err } : { result };
      if (context.callbackWaitsForEmptyEventLoop) {
        waiting = waiting || out;
        waitForEmptyLoop();
      } else {
        settle(out);
      }
    };
    context.succeed = (result) => settle({ result });
    context.fail = (err) => settle({ error: err === undefined ? new Error('handled') : err });
    context.done = (err, result) => callback(err, result);
    let ret;
    try {
      ret = fn(event, context, callback);
    } catch (e) {
      settle({ error: e });
      return;
    }
    if (ret && typeof ret.then === 'function') {
      ret.then((result) => settle({ result }), (error) => settle({ error: error === undefined ? new Error('undefined') : error }));
    } else {
      waitForEmptyLoop();
    }
  });
}

let invoking = null; // request id while a handler runs, for uncaught errors

async function invokeOnce(fn, res) {
  const h = res.headers;
  const id = h['lambda-runtime-aws-request-id'];
  currentRequestId = id;
  invoking = id;
  if (h['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
  else delete process.env._X_AMZN_TRACE_ID;
  let out;
  try {
    const context = makeContext(id, h, Number(h['lambda-runtime-deadline-ms']));
    let event;
    try {
      event = JSON.parse(res.body.toString('utf8'));
    } catch (e) {
      throw new RuntimeError('Runtime.UnmarshalError', 'Unable to unmarshal input: ' + e.message);
    }
    out = await runHandler(fn, event, context);
  } catch (e) {
    out = { error: e };
  }
  invoking = null;
  if ('error' in out) {
    const payload = toPayload(out.error);
    logError('Invoke Error', payload);
    await postError(`${PREFIX}/invocation/${id}/error`, payload);
    return;
  }
  let body;
  try {
    body = out.result === undefined ? 'null' : JSON.stringify(out.result);
    if (body === undefined) body = 'null';
  } catch (e) {
    const payload = { errorType: 'Runtime.MarshalError', errorMessage: 'Unable to stringify response body', trace: [] };
    logError('Invoke Error', payload);
    await postError(`${PREFIX}/invocation/${id}/error`, payload);
    return;
  }
  // 413 (too large) is reported to the caller by the platform; carry on.
  await request('POST', `${PREFIX}/invocation/${id}/response`, body, { 'Content-Type': 'application/json' });
}

async function fatal(payload, exitCode) {
  try {
    if (invoking !== null) {
      await postError(`${PREFIX}/invocation/${invoking}/error`, payload);
    } else {
      await postError(`${PREFIX}/init/error`, payload);
    }
  } finally {
    process.exit(exitCode);
  }
}

// standby runs in a standby process: one the platform starts before it
// knows the function, and hands a function over later
// (sandbox/standby.go). It waits on the control socket fd for the
// function's environment and takes it on as if the process had been
// started with it; main() then runs Init as usual.
async function standby(fd) {
  await warmUp();
  // The platform rewrites the block of environment strings this process
  // was started with (what /proc/<pid>/environ shows) at handoff: take the
  // C environment off it first.
  for (const k of Object.keys(process.env)) process.env[k] = process.env[k];
  fs.writeSync(fd, 'ready\n');
  const chunks = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) process.exit(0); // dropped before handoff
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf[n - 1] === 10) break;
  }
  fs.closeSync(fd);
  const spec = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  for (const k of Object.keys(process.env)) delete process.env[k];
  for (const kv of spec.env) {
    const i = kv.indexOf('=');
    process.env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  process.chdir(spec.cwd);
  // NODE_PATH is read as node starts; this reads it again.
  require('module')._initPaths();
}

// warmUp has a standby's Runtime API client talk to a throw-away server
// once: node loads and compiles its HTTP client on first use, which would
// otherwise add milliseconds to the cold start that takes the standby over.
async function warmUp() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  const via = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    HOST = '127.0.0.1';
    PORT = server.address().port;
    JSON.parse((await request('GET', `${PREFIX}/invocation/next`, undefined, {}, via)).body.toString('utf8'));
    await request('POST', `${PREFIX}/invocation/x/response`, JSON.stringify({}), { 'Content-Type': 'application/json' }, via);
  } catch (_) {
    // only a warm-up
  }
  via.destroy();
  if (server.listening) {
    if (server.closeAllConnections) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function main() {
  if (process.env._CLOUDLET_STANDBY) await standby(Number(process.env._CLOUDLET_STANDBY));
  const api = process.env.AWS_LAMBDA_RUNTIME_API || '';
  const colon = api.lastIndexOf(':');
  HOST = api.slice(0, colon);
  PORT = Number(api.slice(colon + 1));
  patchConsole();
  process.on('uncaughtException', (err) => {
    const payload = toPayload(err);
    logError('Uncaught Exception', payload);
    fatal(payload, 129);
  });
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    const payload = { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: String(reason), trace: typeof err.stack === 'string' ? err.stack.split('\n') : [] };
    logError('Unhandled Promise Rejection', payload);
    fatal(payload, 128);
  });
  let fn;
  try {
    fn = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || '');
  } catch (e) {
    const payload = toPayload(e);
    logError('Uncaught Exception', payload);
    await postError(`${PREFIX}/init/error`, payload);
    process.exit(129);
  }
  for (;;) {
    const res = await request('GET', `${PREFIX}/invocation/next`);
    if (res.status !== 200) {
      process.stderr.write(`runtime api: next returned ${res.status}\n`);
      process.exit(1);
    }
    await invokeOnce(fn, res);
  }
}

main();
