// Multi-step input with Back, "step/total" and a title on every step (after quickinput-sample's multiStepInput).
// A step either returns a value, or throws BACK/CANCEL; the driver walks back through the steps on BACK.
import * as vscode from 'vscode';

export const BACK = Symbol('back');
export const CANCEL = Symbol('cancel');

interface Common {
  title: string;
  step: number;
  totalSteps: number;
  placeholder: string;
  ignoreFocusOut?: boolean;
}

export interface PickOptions<T extends vscode.QuickPickItem> extends Common {
  items: T[];
  activeItem?: T;
}

export interface InputOptions extends Common {
  prompt: string;
  value?: string;
  password?: boolean;
  validate: (value: string) => string | undefined;
}

export class MultiStepInput {
  /** Runs steps in order; each returns the next step or undefined when done. Resolves false if cancelled. */
  static async run(first: (input: MultiStepInput) => Promise<Step | undefined>): Promise<boolean> {
    const input = new MultiStepInput();
    const stack: Step[] = [first];
    while (stack.length) {
      const step = stack[stack.length - 1];
      try {
        const next = await step(input);
        if (!next) return true;
        stack.push(next);
      } catch (e) {
        if (e === BACK) {
          // Drop this step; the previous one is on top again and runs once more (its answer can be changed).
          stack.pop();
          if (!stack.length) return false;
        } else if (e === CANCEL) {
          return false;
        } else {
          throw e;
        }
      }
    }
    return false;
  }

  pick<T extends vscode.QuickPickItem>(o: PickOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const qp = vscode.window.createQuickPick<T>();
      qp.title = o.title;
      qp.step = o.step;
      qp.totalSteps = o.totalSteps;
      qp.placeholder = o.placeholder;
      qp.items = o.items;
      qp.ignoreFocusOut = o.ignoreFocusOut ?? true;
      qp.matchOnDescription = true;
      qp.matchOnDetail = true;
      if (o.activeItem) qp.activeItems = [o.activeItem];
      qp.buttons = o.step > 1 ? [vscode.QuickInputButtons.Back] : [];
      let settled = false;
      const done = (f: () => void) => { settled = true; f(); qp.dispose(); };
      qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && done(() => reject(BACK)));
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item) done(() => resolve(item));
      });
      qp.onDidHide(() => { if (!settled) { settled = true; reject(CANCEL); qp.dispose(); } });
      qp.show();
    });
  }

  input(o: InputOptions): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const box = vscode.window.createInputBox();
      box.title = o.title;
      box.step = o.step;
      box.totalSteps = o.totalSteps;
      box.placeholder = o.placeholder;
      box.prompt = o.prompt;
      box.value = o.value ?? '';
      box.password = o.password ?? false;
      box.ignoreFocusOut = o.ignoreFocusOut ?? true;
      box.buttons = o.step > 1 ? [vscode.QuickInputButtons.Back] : [];
      let settled = false;
      const done = (f: () => void) => { settled = true; f(); box.dispose(); };
      box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && done(() => reject(BACK)));
      box.onDidChangeValue((v) => { box.validationMessage = v ? o.validate(v) : undefined; });
      box.onDidAccept(() => {
        const problem = o.validate(box.value);
        if (problem) box.validationMessage = problem;
        else done(() => resolve(box.value.trim()));
      });
      box.onDidHide(() => { if (!settled) { settled = true; reject(CANCEL); box.dispose(); } });
      box.show();
    });
  }
}

export type Step = (input: MultiStepInput) => Promise<Step | undefined>;
