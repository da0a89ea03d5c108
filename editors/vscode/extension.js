// Starts `mapc lsp` for .mapc files. Plain JavaScript: no build step.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("mapc");
  const [command, ...args] = settings.get("command", ["mapc", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "mapc",
    "mapc language server",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "mapc" }],
      initializationOptions: { debounceMs: settings.get("debounceMs", 50) },
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
