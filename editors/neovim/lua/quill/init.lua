--- Quill for Neovim: the language server's configuration, user commands and completion.
---
--- Neovim 0.11+:  put this folder on 'runtimepath'; `vim.lsp.enable('quill')` reads
---                lsp/quill.lua (override anything with `vim.lsp.config('quill', {...})`).
--- Neovim 0.10:   `require('quill').setup({ ... })` starts the server for the filetypes.
---
--- The user commands (:QuillAddWord, :QuillIgnoreWord, :QuillFixAll, :QuillRestart,
--- :QuillStatus) come from plugin/quill.lua and work with either way of starting the server.
local M = {}

M.name = 'quill'

--- Filetypes the server checks (it also reads the language id Neovim sends).
M.filetypes = {
  'markdown', 'text', 'rst', 'tex', 'gitcommit',
  'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact',
  'go', 'rust', 'java', 'c', 'cpp', 'sh', 'bash',
}

M.root_markers = { '.quill', '.git' }

--- setup()'s options (completion = false turns completion off; autotrigger = true pops
--- completion items up while typing on 0.11).
M.options = {}

--- Server settings (the `quill` section: see `:help quill-settings`). Only what differs
--- from the server's defaults needs to be given; everything else keeps its default.
M.default_settings = {}

local has_011 = vim.fn.has('nvim-0.11') == 1

--- The folder of this plugin (editors/neovim) and the repository that holds it.
local function plugin_root()
  local source = debug.getinfo(1, 'S').source:sub(2)
  return vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(vim.fs.normalize(source))))
end

--- How to start the server: g:quill_cmd, else the .venv of the Quill checkout this plugin
--- lives in, else `quill-lsp` on PATH.
function M.default_cmd()
  local cmd = vim.g.quill_cmd
  if type(cmd) == 'string' then
    return { cmd }
  elseif type(cmd) == 'table' and #cmd > 0 then
    return cmd
  end
  local repo = vim.fs.dirname(vim.fs.dirname(plugin_root()))
  local venv = repo .. '/.venv/bin/quill-lsp'
  if vim.fn.executable(venv) == 1 then
    return { venv }
  end
  return { 'quill-lsp' }
end

local function quill_settings(config)
  local settings = config and config.settings or {}
  return settings.quill or settings
end

--- An empty Lua table goes over JSON as [] (a list); the server wants an object.
local function as_object(t)
  if t == nil or next(t) == nil then
    return vim.empty_dict()
  end
  return t
end

--- Enable what the server offers for completion in this buffer: inline suggestions where
--- Neovim has them (vim.lsp.inline_completion, 0.12+), completion items otherwise (0.11's
--- vim.lsp.completion; on 0.10 the omnifunc, <C-x><C-o>, which Neovim sets on attach).
function M.enable_completion(client, bufnr, opts)
  opts = opts or {}
  local caps = client.server_capabilities or {}
  local settings = quill_settings(client.config)
  if (settings.completion or {}).enabled == false or opts.completion == false then
    return nil
  end
  if caps.inlineCompletionProvider and vim.lsp.inline_completion then
    local ok = pcall(vim.lsp.inline_completion.enable, true, { bufnr = bufnr, client_id = client.id })
    if ok then
      return 'inline'
    end
  end
  if caps.completionProvider and vim.lsp.completion and vim.lsp.completion.enable then
    vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = opts.autotrigger == true })
    return 'items'
  end
  if caps.completionProvider then
    return 'omnifunc'
  end
  return nil
end

local function client_request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- workspace/diagnostic/refresh for Neovim versions without it (0.10, 0.11): they pull
--- diagnostics (textDocument/diagnostic) only after an edit, so a word added to a dictionary,
--- a settings change or the grammar model finishing loading would show only after the next
--- keystroke. Pull again for every buffer the client has.
function M.on_diagnostic_refresh(_, _, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if client then
    for bufnr in pairs(client.attached_buffers or {}) do
      if vim.api.nvim_buf_is_loaded(bufnr) then
        client_request(client, 'textDocument/diagnostic',
          { textDocument = vim.lsp.util.make_text_document_params(bufnr) }, nil, bufnr)
      end
    end
  end
  return vim.NIL
end

--- The vim.lsp.Config that lsp/quill.lua returns (also what setup() starts on 0.10).
function M.config(opts)
  opts = opts or {}
  local config = {
    name = M.name,
    cmd = opts.cmd or M.default_cmd(),
    cmd_env = opts.cmd_env,
    filetypes = opts.filetypes or M.filetypes,
    root_markers = opts.root_markers or M.root_markers,
    settings = { quill = as_object(vim.tbl_deep_extend('force', M.default_settings, opts.settings or {})) },
  }
  if not vim.lsp.handlers['workspace/diagnostic/refresh'] then
    config.capabilities = { workspace = { diagnostics = { refreshSupport = true } } }
    config.handlers = { ['workspace/diagnostic/refresh'] = M.on_diagnostic_refresh }
  end
  -- The server reads its settings from initializationOptions too, so the first check
  -- already uses them (workspace/didChangeConfiguration follows).
  config.before_init = function(params, cfg)
    params.initializationOptions = as_object(quill_settings(cfg))
  end
  -- Completion is enabled from plugin/quill.lua's LspAttach autocommand, so an on_attach of
  -- the user's own (vim.lsp.config('quill', { on_attach = ... })) does not switch it off.
  config.on_attach = opts.on_attach
  return config
end

-- Clients -------------------------------------------------------------------------------

function M.clients(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ name = M.name, bufnr = bufnr })
end

--- Run one of the server's commands (workspace/executeCommand) for buffer `bufnr`;
--- `on_result(err, result)` gets the answer.
function M.exec(command, arguments, bufnr, on_result)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.clients(bufnr)[1]
  if not client then
    vim.notify('Quill: no Quill server attached to this buffer', vim.log.levels.WARN)
    return false
  end
  client_request(client, 'workspace/executeCommand', { command = command, arguments = arguments },
    function(err, result)
      if on_result then
        on_result(err, result)
      elseif err then
        vim.notify('Quill: ' .. command .. ' failed: ' .. (err.message or vim.inspect(err)),
          vim.log.levels.ERROR)
      end
    end, bufnr)
  return true
end

--- The word of the Quill diagnostic under the cursor, else the word under the cursor.
function M.word_at_cursor(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = row - 1 })) do
    local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data
    if d.source == 'quill' and type(data) == 'table' and data.word
        and col >= d.col and col <= d.end_col then
      return data.word
    end
  end
  return vim.fn.expand('<cword>')
end

function M.add_word(word, scope, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  word = (word and word ~= '') and word or M.word_at_cursor(bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  return M.exec('quill.addToDictionary', { { word = word, scope = scope or 'workspace', uri = uri } },
    bufnr, function(err, result)
      if err then
        vim.notify('Quill: could not add ' .. word .. ': ' .. err.message, vim.log.levels.ERROR)
      elseif result and result.message then
        vim.notify('Quill: ' .. result.message)
      end
    end)
end

function M.ignore_word(word, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  word = (word and word ~= '') and word or M.word_at_cursor(bufnr)
  return M.exec('quill.ignoreWord', { { word = word, uri = vim.uri_from_bufnr(bufnr) } }, bufnr)
end

function M.fix_all(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  return M.exec('quill.fixAll', { { uri = vim.uri_from_bufnr(bufnr) } }, bufnr,
    function(err, result)
      if err then
        vim.notify('Quill: fix all failed: ' .. err.message, vim.log.levels.ERROR)
      elseif result and not result.applied then
        vim.notify('Quill: nothing to fix' .. (result.reason and (' (' .. result.reason .. ')') or ''))
      end
    end)
end

--- The server's status: a few lines for a person (its `summary`), or with `full` the whole
--- table (event loop, caches, collections...).
function M.status(bufnr, on_result, full)
  return M.exec('quill.status', {}, bufnr, on_result or function(err, result)
    if err then
      vim.notify('Quill: status failed: ' .. err.message, vim.log.levels.ERROR)
    elseif full or not (result and result.summary) then
      vim.notify('Quill ' .. vim.inspect(result))
    else
      vim.notify(table.concat(result.summary, '\n'))
    end
  end)
end

--- The configuration to (re)start with: setup()'s on 0.10, vim.lsp.config's on 0.11.
local started_config = nil

local function resolved_config()
  if started_config then
    return started_config
  end
  if has_011 and vim.lsp.config then
    local ok, cfg = pcall(function() return vim.lsp.config[M.name] end)
    if ok and cfg then
      return cfg
    end
  end
  return M.config()
end

--- Start (or attach) the server for one buffer.
function M.start(bufnr, config)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  config = vim.deepcopy(config or resolved_config())
  if not config.root_dir and config.root_markers then
    local name = vim.api.nvim_buf_get_name(bufnr)
    config.root_dir = vim.fs.root(name ~= '' and name or vim.fn.getcwd(), config.root_markers)
  end
  if type(config.root_dir) == 'function' then
    config.root_dir = nil  -- 0.11's on-demand form: fall back to the markers
  end
  config.root_markers = nil
  config.filetypes = nil
  return vim.lsp.start(config, { bufnr = bufnr })
end

--- Stop every Quill client and start it again for the buffers it had.
function M.restart()
  local buffers = {}
  local clients = M.clients()
  for _, client in ipairs(clients) do
    for bufnr in pairs(client.attached_buffers or {}) do
      buffers[#buffers + 1] = bufnr
    end
    if has_011 then client:stop() else client.stop() end
  end
  if #buffers == 0 then
    buffers = { vim.api.nvim_get_current_buf() }
  end
  vim.wait(5000, function()
    for _, client in ipairs(clients) do
      if not (has_011 and client:is_stopped() or (not has_011 and client.is_stopped())) then
        return false
      end
    end
    return true
  end, 20)
  for _, bufnr in ipairs(buffers) do
    if vim.api.nvim_buf_is_valid(bufnr) then
      M.start(bufnr)
    end
  end
end

--- Neovim 0.10 (works on 0.11 too): start Quill for its filetypes. On 0.11 prefer
--- `vim.lsp.enable('quill')`, which reads lsp/quill.lua.
function M.setup(opts)
  opts = opts or {}
  M.options = opts
  local config = M.config(opts)
  started_config = config
  local group = vim.api.nvim_create_augroup('quill', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.start(args.buf, config)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr, config)
    end
  end
  return config
end

return M
