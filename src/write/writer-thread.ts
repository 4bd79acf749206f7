// A writer thread: makes the SDK calls the main thread orders, each on this thread's own SDK client and
// keep-alive agent, and answers with the result and the answer's Date header. It decides nothing:
// pacing, retries, the breaker and the ledger stay on the main thread (see write/writer-pool.ts).
import { parentPort, workerData } from "node:worker_threads";
import { callHeader, connectAuthlete } from "./authlete-client.js";
import type {
  CallAnswer,
  CallOrder,
  FromWriterThread,
  ToWriterThread,
  WriterThreadInput,
} from "./pool-protocol.js";
import { callSdk } from "./token-calls.js";

const port = parentPort!;
/** Calls on the wire by their ID: an answer's Date header finds its call by the header naming it. */
const onTheWire = new Map<string, CallAnswer>();
const authlete = connectAuthlete({
  ...(workerData as WriterThreadInput),
  // Each call's Date header is kept with its answer: the clock is the main thread's.
  clock: {
    hostNow: () => 0,
    observeDate(header, _sentAt, _receivedAt, call) {
      const answer = call === undefined ? undefined : onTheWire.get(call);
      if (answer && header) answer.date = header;
    },
  },
});

let outbox: CallAnswer[] = [];
/** Answers that come back in the same turn go back in one message. */
function answer(done: CallAnswer): void {
  outbox.push(done);
  if (outbox.length === 1)
    setImmediate(() => {
      port.postMessage({ answers: outbox });
      outbox = [];
    });
}

let made = 0;
const { exitAfterCalls } = workerData as WriterThreadInput;

function make(order: CallOrder): void {
  const done: CallAnswer = { id: order.id, result: { ok: false, failure: { kind: "network" } } };
  const call = String(order.id);
  onTheWire.set(call, done);
  void callSdk(authlete, order.name, order.request, { headers: { [callHeader]: call } })
    .then((result) => (done.result = result))
    .catch(() => {}) // callSdk turns every SDK failure into a result; anything else is a lost call
    .finally(() => {
      onTheWire.delete(call);
      answer(done);
    });
  // Chaos: dies with this call on the wire (it may land at Authlete, unanswered), as a crash would.
  if (exitAfterCalls !== undefined && ++made >= exitAfterCalls) setImmediate(() => process.exit(70));
}

port.postMessage("ready" satisfies FromWriterThread);
port.on("message", (message: ToWriterThread) => {
  if (message === "abandon") authlete.abandon();
  else for (const order of message.calls) make(order);
});
