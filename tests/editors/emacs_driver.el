;;; emacs_driver.el --- drives Emacs (batch) + eglot through editors/emacs/quill.el  -*- lexical-binding: t; -*-
;; Run by tests/editors/test_emacs.py as `emacs --batch -Q -l emacs_driver.el`, with
;; QUILL_EMACS_PLUGIN, QUILL_TEST_WORKSPACE, QUILL_TEST_CMD (JSON list) and QUILL_TEST_RESULT.
;; Every wait has a deadline and fails when it runs out.
(require 'cl-lib)
(require 'json)

(defvar quill-test-deadline (/ (string-to-number (or (getenv "QUILL_TEST_DEADLINE_MS") "30000")) 1000.0))
(defvar quill-test-report (list (cons 'emacs emacs-version)))

(defun quill-test-check (name value)
  (push (cons name value) quill-test-report))

(defun quill-test-wait (what predicate)
  (let ((end (+ (float-time) quill-test-deadline)) value)
    (while (not (setq value (funcall predicate)))
      (when (> (float-time) end)
        (error "timed out after %s s waiting for %s" quill-test-deadline what))
      (accept-process-output nil 0.05))
    value))

(defun quill-test-finish (ok &optional err)
  (quill-test-check 'ok (if ok t :json-false))
  (when err (quill-test-check 'error err))
  (with-temp-file (getenv "QUILL_TEST_RESULT")
    (insert (json-encode quill-test-report)))
  (kill-emacs (if ok 0 1)))

(defun quill-test-lsp-diag (d)
  (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d))))

(defun quill-test-flagged ()
  "The words of Quill's diagnostics that Flymake shows in this buffer."
  (sort (cl-loop for d in (flymake-diagnostics)
                 for lsp = (quill-test-lsp-diag d)
                 when (equal (plist-get lsp :source) "quill")
                 collect (plist-get (plist-get lsp :data) :word))
        #'string<))

(defun quill-test-find (word)
  (cl-find-if (lambda (d) (equal (plist-get (plist-get (quill-test-lsp-diag d) :data) :word) word))
              (flymake-diagnostics)))

(defun quill-test-run ()
  (load (expand-file-name "quill.el" (getenv "QUILL_EMACS_PLUGIN")) nil t)
  (setq quill-server-command (append (json-read-from-string (getenv "QUILL_TEST_CMD")) nil)
        ;; Deterministic: no grammar model, no debounce, nothing learnt from other files.
        quill-settings '(:grammar (:enabled :json-false) :diagnostics (:debounceMs 0)
                         :spelling (:learnProjectWords :json-false))
        eglot-confirm-server-initiated-edits nil)
  (let ((workspace (getenv "QUILL_TEST_WORKSPACE")))
    (find-file (expand-file-name "notes.md" workspace))
    (text-mode)
    (apply #'eglot (eglot--guess-contact))
    (quill-test-wait "the eglot connection" #'eglot-current-server)
    (flymake-start)
    (quill-test-wait "Flymake to show Quill's diagnostics"
                     (lambda () (equal (quill-test-flagged) '("recieve" "sentance" "zorblaxian"))))
    (quill-test-check 'flagged (vconcat (quill-test-flagged)))
    ;; A quick fix, as M-x eglot-code-actions would apply it.
    (let* ((d (quill-test-find "recieve"))
           (actions (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
           (fix (cl-find "Change 'recieve' to 'receive'" actions
                         :key (lambda (a) (plist-get a :title)) :test #'equal)))
      (quill-test-check 'actions (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
      (unless fix (error "no quick fix for recieve"))
      (eglot--apply-workspace-edit (plist-get fix :edit)))
    (quill-test-wait "the quick fix in the buffer"
                     (lambda () (string-match-p "We will receive the package" (buffer-string))))
    ;; eglot sends didChange from an idle timer, and batch Emacs is never idle: send it now.
    (eglot--signal-textDocument/didChange)
    (quill-test-wait "the diagnostic on recieve to go"
                     (lambda () (equal (quill-test-flagged) '("sentance" "zorblaxian"))))
    ;; M-x quill-add-word
    (quill-add-word "zorblaxian")
    (quill-test-wait "the diagnostic on zorblaxian to go"
                     (lambda () (equal (quill-test-flagged) '("sentance"))))
    (quill-test-check 'dictionary
                      (with-temp-buffer
                        (insert-file-contents (expand-file-name ".quill/dictionary.txt" workspace))
                        (buffer-string)))
    ;; M-x quill-fix-all: the server sends workspace/applyEdit.
    (quill-fix-all)
    (quill-test-wait "quill-fix-all to fix the buffer"
                     (lambda () (string-match-p "Another sentence with" (buffer-string))))
    (eglot--signal-textDocument/didChange)
    (quill-test-wait "no diagnostics left" (lambda () (null (quill-test-flagged))))
    (quill-test-check 'text (buffer-string))
    (quill-test-check 'status (plist-get (quill-status) :grammar))))

(condition-case err
    (progn (quill-test-run) (quill-test-finish t))
  (error
   (ignore-errors
     (quill-test-check 'flymake (format "mode %s running %S reporting %S disabled %S saved %S"
                                        flymake-mode (flymake-running-backends)
                                        (flymake-reporting-backends) (flymake-disabled-backends)
                                        (length eglot--diagnostics))))
     (quill-test-check (quote diags) (format "%S" (mapcar (lambda (d) (list (flymake-diagnostic-text d) (eglot--diag-data d))) (flymake-diagnostics))))
   (ignore-errors
     (let ((server (eglot-current-server)))
       (quill-test-check 'events (with-current-buffer (jsonrpc-events-buffer server)
                                   (buffer-substring-no-properties
                                    (max (point-min) (- (point-max) 6000)) (point-max))))))
   (ignore-errors
     (dolist (buffer (buffer-list))
       (when (string-match-p "stderr" (buffer-name buffer))
         (quill-test-check 'stderr (with-current-buffer buffer
                                     (buffer-substring-no-properties
                                      (max (point-min) (- (point-max) 6000)) (point-max)))))))
   (quill-test-finish nil (error-message-string err))))
;;; emacs_driver.el ends here
