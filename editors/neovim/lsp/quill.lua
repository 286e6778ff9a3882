-- Quill for Neovim 0.11+: with editors/neovim on 'runtimepath', `vim.lsp.enable('quill')`
-- reads this file. Override any field with vim.lsp.config('quill', { ... }), for example
--   vim.lsp.config('quill', { settings = { quill = { grammar = { enabled = false } } } })
-- See :help quill.
---@type vim.lsp.Config
return require('quill').config()
