/**
 * The wizard's prompts, drawn with @clack/prompts. Each prompt validates with the same function the
 * matching flag uses, and a cancel (Ctrl-C, Esc) becomes `Cancelled`.
 */
import * as p from "@clack/prompts";
import { Cancelled, type Prompter } from "./gather.js";
import type { InitChoices } from "./questions.js";

function unlessCancelled<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new Cancelled();
  return value as Exclude<T, symbol>;
}

/** A prompter on the process's terminal (or the given streams). */
export function clackPrompter(
  choices: InitChoices,
  streams: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
): Prompter {
  const io = streams as Pick<p.TextOptions, "input" | "output">;
  return {
    async text(q, initial) {
      const value = await p.text({
        ...io,
        message: q.message,
        placeholder: q.placeholder,
        initialValue: initial,
        validate: (v) => q.validate((v ?? "").trim(), choices),
      });
      return unlessCancelled(value).trim();
    },
    async select(q, options, initial) {
      const value = await p.select<string>({
        ...io,
        message: q.message,
        options: options.map((o) => ({ value: o.value, label: o.label ?? o.value, hint: o.hint })),
        initialValue: initial,
      });
      return unlessCancelled(value);
    },
    async multiselect(q, options, initial) {
      const value = await p.multiselect<string>({
        ...io,
        message: `${q.message} (space toggles, enter accepts)`,
        options: options.map((o) => ({ value: o.value, label: o.label ?? o.value, hint: o.hint })),
        initialValues: initial,
        required: true,
      });
      return unlessCancelled(value);
    },
    async confirm(message, initial) {
      return unlessCancelled(await p.confirm({ ...io, message, initialValue: initial }));
    },
  };
}
