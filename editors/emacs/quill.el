;;; quill.el --- Quill's language server in Emacs through eglot  -*- lexical-binding: t; -*-

;; Load this file (M-x load-file, or (load "~/quill/editors/emacs/quill.el") in your init
;; file), then M-x eglot in a Markdown, text, reST, LaTeX or code buffer. Diagnostics come
;; through Flymake, quick fixes through M-x eglot-code-actions (C-c C-a if you bind it),
;; completion items through completion-at-point.
;;
;;   (setq quill-server-command '("~/quill/.venv/bin/quill-lsp"))
;;   (setq quill-settings '(:grammar (:enabled t) :spelling (:dialect "en-GB")))
;;
;; Works with eglot 1.9 or newer (Emacs 29 ships it; Debian 12: apt-get install elpa-eglot).

;;; Code:

(require 'eglot)
(require 'jsonrpc)
(require 'thingatpt)

(defgroup quill nil
  "Spelling, grammar and code completion from the Quill language server."
  :group 'tools)

(defcustom quill-server-command nil
  "How to start the server: a list, program first.
nil: `quill-lsp' on PATH, else the .venv of the Quill checkout
this file lives in."
  :type '(choice (const :tag "Automatic" nil) (repeat string)))

(defcustom quill-settings nil
  "The server's settings (the `quill' section), as a plist.
For example (:grammar (:enabled :json-false) :diagnostics (:debounceMs 0));
every key and its default is in the README's Configuration table.  Sent as
initializationOptions and answered to workspace/configuration."
  :type 'sexp)

(defcustom quill-modes
  '(markdown-mode gfm-mode text-mode rst-mode latex-mode LaTeX-mode git-commit-mode
    python-mode python-ts-mode js-mode js-ts-mode typescript-mode typescript-ts-mode
    go-mode go-ts-mode rust-mode rust-ts-mode java-mode java-ts-mode c-mode c-ts-mode
    c++-mode c++-ts-mode sh-mode bash-ts-mode)
  "Major modes eglot starts Quill for."
  :type '(repeat symbol))

(defconst quill--here (file-name-directory (or load-file-name buffer-file-name default-directory)))

(defun quill--command ()
  "The server's command line."
  (or (and quill-server-command
           (let ((program (car quill-server-command)))
             (cons (if (string-match-p "/" program) (expand-file-name program) program)
                   (cdr quill-server-command))))
      (let ((found (executable-find "quill-lsp")))
        (and found (list found)))
      (let ((venv (expand-file-name "../../.venv/bin/quill-lsp" quill--here)))
        (and (file-executable-p venv) (list venv)))
      (list "quill-lsp")))

(defun quill--contact (&optional _interactive)
  "What eglot starts for Quill, with the settings as initializationOptions."
  (quill--install-configuration)
  (append (quill--command)
          (list :initializationOptions (or quill-settings (make-hash-table)))))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs (cons quill-modes #'quill--contact)))

;; Settings: eglot sends `eglot-workspace-configuration' after the start and answers the
;; server's workspace/configuration from it. Keep other servers' sections; set ours each time
;; Quill starts, so a change of `quill-settings' counts from the next start (M-x quill-restart).
(defun quill--install-configuration ()
  (let ((current (default-value 'eglot-workspace-configuration)))
    (unless (functionp current)
      (setq-default eglot-workspace-configuration
                    (plist-put (copy-sequence current) :quill
                               (or quill-settings (make-hash-table)))))))

(defun quill--server ()
  (or (eglot-current-server) (user-error "Quill: no eglot server in this buffer (M-x eglot)")))

(defun quill--execute (command &rest arguments)
  "Run the server's COMMAND with ARGUMENTS; return its answer.
The request is workspace/executeCommand."
  (jsonrpc-request (quill--server) :workspace/executeCommand
                   (list :command command :arguments (vconcat arguments))))

(defun quill--execute-async (command arguments &optional on-success)
  "Run the server's COMMAND with ARGUMENTS; call ON-SUCCESS with its answer.
Asynchronous on purpose: the server re-publishes diagnostics right after
answering, and jsonrpc before 1.0.16 (Emacs 28) leaves a message that arrives
together with the answer to a synchronous request unread until the server
sends something else, so the diagnostics would lag."
  (jsonrpc-async-request (quill--server) :workspace/executeCommand
                         (list :command command :arguments (vconcat arguments))
                         :success-fn (or on-success #'ignore)
                         :error-fn (lambda (error)
                                     (message "Quill: %s failed: %s" command
                                              (plist-get error :message)))))

(defun quill--uri ()
  "This buffer's URI, as eglot sends it to the server."
  (let ((file (expand-file-name buffer-file-name)))
    (if (fboundp 'eglot-path-to-uri) (eglot-path-to-uri file) (eglot--path-to-uri file))))

(defun quill-add-word (word &optional user)
  "Add WORD (default: the word at point) to the workspace dictionary.
With a prefix argument (USER), to the user dictionary."
  (interactive (list (read-string "Add word: " (thing-at-point 'word t)) current-prefix-arg))
  (quill--execute-async "quill.addToDictionary"
                        (list (list :word word :scope (if user "user" "workspace") :uri (quill--uri)))
                        (lambda (answer) (message "Quill: %s" (plist-get answer :message)))))

(defun quill-ignore-word (word)
  "Ignore WORD (default: the word at point) in this document."
  (interactive (list (read-string "Ignore word: " (thing-at-point 'word t))))
  (quill--execute-async "quill.ignoreWord" (list (list :word word :uri (quill--uri)))))

(defun quill-fix-all ()
  "Apply the first suggestion of every spelling and grammar finding in this buffer."
  (interactive)
  (quill--execute-async "quill.fixAll" (list (list :uri (quill--uri)))))

(defun quill-status ()
  "Show the server's status: dictionaries, grammar model and its device."
  (interactive)
  (let ((status (quill--execute "quill.status")))
    (message "Quill: grammar: %s; providers: %s; user dictionary: %s"
             (plist-get status :grammar) (plist-get status :grammarProviders)
             (plist-get status :userDictionary))
    status))

(defun quill-restart ()
  "Restart the Quill server of this buffer."
  (interactive)
  (eglot-reconnect (quill--server)))

(provide 'quill)
;;; quill.el ends here
