/**
 * The wizard's prompts, drawn with @clack/prompts. Each prompt validates with the same function the
 * matching flag uses, and a cancel (Ctrl-C, Esc) becomes `Cancelled`.
 */
import * as p from "@clack/prompts";
import { Cancelled, type Prompter, type Step } from "./gather.js";
import type { InitChoices } from "./questions.js";

function unlessCancelled<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new Cancelled();
  return value as Exclude<T, symbol>;
}

/** "GitHub organisation …  (step 1 of 8)": every prompt says how far along the wizard is. */
function titled(message: string, step: Step): string {
  return `${message}  (step ${step.n} of ${step.of})`;
}

/** A prompter on the process's terminal (or the given streams). */
export function clackPrompter(
  choices: InitChoices,
  streams: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
): Prompter {
  const io = streams as Pick<p.TextOptions, "input" | "output">;
  return {
    async text(q, initial, step) {
      const value = await p.text({
        ...io,
        message: titled(q.message, step),
        placeholder: q.placeholder,
        initialValue: initial,
        validate: (v) => q.validate((v ?? "").trim(), choices),
      });
      return unlessCancelled(value).trim();
    },
    async select(q, options, initial, step) {
      const value = await p.select<string>({
        ...io,
        message: titled(q.message, step),
        options: options.map((o) => ({ value: o.value, label: o.label ?? o.value, hint: o.hint })),
        initialValue: initial,
      });
      return unlessCancelled(value);
    },
    async multiselect(q, options, initial, step) {
      const value = await p.multiselect<string>({
        ...io,
        message: titled(`${q.message} (space toggles, enter accepts)`, step),
        options: options.map((o) => ({ value: o.value, label: o.label ?? o.value, hint: o.hint })),
        initialValues: initial,
        required: true,
      });
      return unlessCancelled(value);
    },
    async confirm(message, initial, step) {
      return unlessCancelled(await p.confirm({ ...io, message: titled(message, step), initialValue: initial }));
    },
  };
}
