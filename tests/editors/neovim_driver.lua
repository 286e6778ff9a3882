-- Drives headless Neovim through editors/neovim against the real Quill server.
-- Run by tests/editors/test_neovim.py as
--   nvim --headless --clean -c 'luafile neovim_driver.lua'   (QUILL_TEST_SCENARIO=markdown|python)
-- The scenario runs in a coroutine that hands control back to Neovim's main loop where it
-- must (typed keys, insert-mode completion), so Neovim behaves as with a user at the keyboard.
-- with QUILL_NVIM_PLUGIN (editors/neovim), QUILL_TEST_WORKSPACE, QUILL_TEST_CMD (JSON list),
-- QUILL_TEST_RESULT (where the JSON report goes) and, for completion, QUILL_TEST_CODE_MODEL (or
-- QUILL_TEST_COMPLETE without a model) and QUILL_TEST_COMPLETION_DETAIL (the item to accept).
-- Every wait has a deadline and a wait that runs out is a failure: nothing passes on a timeout.
local DEADLINE = tonumber(vim.env.QUILL_TEST_DEADLINE_MS or '30000')
local scenario = vim.env.QUILL_TEST_SCENARIO
-- The completion item the python scenario picks and accepts, by its detail.
local want_detail = vim.env.QUILL_TEST_COMPLETION_DETAIL or 'Quill code model'
local report = { scenario = scenario, nvim = tostring(vim.version()), checks = {}, log = {} }

local function log(fmt, ...)
  report.log[#report.log + 1] = string.format(fmt, ...)
end

local function finish(ok, err)
  report.ok = ok
  report.error = err
  local f = assert(io.open(vim.env.QUILL_TEST_RESULT, 'w'))
  f:write(vim.json.encode(report))
  f:close()
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

local function check(name, value)
  report.checks[name] = value
end

local function wait_for(what, predicate)
  local ok = vim.wait(DEADLINE, predicate, 25)
  if not ok then
    error('timed out after ' .. DEADLINE .. ' ms waiting for ' .. what, 2)
  end
end

local resume

--- Wait for `predicate` while Neovim's main loop runs (typeahead, modes, completion):
--- the scenario's coroutine yields and is resumed every 25 ms. Fails at the deadline.
local function wait_in_main_loop(what, predicate)
  local deadline = vim.uv.now() + DEADLINE
  while not predicate() do
    if vim.uv.now() > deadline then
      error('timed out after ' .. DEADLINE .. ' ms waiting for ' .. what, 2)
    end
    vim.defer_fn(resume, 25)
    coroutine.yield()
  end
end

vim.opt.rtp:prepend(vim.env.QUILL_NVIM_PLUGIN)
vim.cmd('runtime plugin/quill.lua')
vim.cmd('filetype on')
vim.o.swapfile = false
vim.lsp.set_log_level(vim.env.QUILL_TEST_LSP_LOG or 'warn')
local quill = require('quill')
local workspace = vim.env.QUILL_TEST_WORKSPACE
local server_cmd = vim.json.decode(vim.env.QUILL_TEST_CMD)

-- Deterministic: no grammar model, no debounce, no learning from the workspace's files.
local settings = {
  grammar = { enabled = false },
  diagnostics = { debounceMs = 0 },
  spelling = { learnProjectWords = false },
}
if vim.env.QUILL_TEST_CODE_MODEL then
  settings.models = { code = vim.env.QUILL_TEST_CODE_MODEL }
  settings.completion = {
    maxTokens = tonumber(vim.env.QUILL_TEST_MAX_TOKENS or "12"), timeoutMs = 0, generate = true,
  }
end

local function quill_diagnostics(bufnr)
  local result = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'quill' then
      result[#result + 1] = d
    end
  end
  return result
end

local function flagged(bufnr)
  local words = {}
  for _, d in ipairs(quill_diagnostics(bufnr)) do
    local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data or {}
    words[#words + 1] = data.word or d.message
  end
  table.sort(words)
  return words
end

local function has(list, item)
  return vim.tbl_contains(list, item)
end

local function find_diagnostic(bufnr, word)
  for _, d in ipairs(quill_diagnostics(bufnr)) do
    local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data or {}
    if data.word == word then
      return d
    end
  end
  return nil
end

local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(workspace .. '/' .. name))
  return vim.api.nvim_get_current_buf()
end

local function wait_client(bufnr)
  wait_for('a Quill client attached to ' .. vim.api.nvim_buf_get_name(bufnr), function()
    local c = quill.clients(bufnr)[1]
    return c ~= nil and c.initialized == true
  end)
  return quill.clients(bufnr)[1]
end

local function wait_flagged(bufnr, word)
  wait_for("Quill's diagnostic for '" .. word .. "'", function()
    return find_diagnostic(bufnr, word) ~= nil
  end)
  return find_diagnostic(bufnr, word)
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

--- Put the cursor on the diagnostic, ask for code actions, apply the one titled `title`.
local function apply_code_action(bufnr, diagnostic, title)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  local seen = {}
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      seen[#seen + 1] = action.title
      return action.title == title
    end,
  })
  return seen
end

local function status(bufnr)
  local answer
  quill.status(bufnr, function(err, result) answer = { err = err, result = result } end)
  wait_for('the answer to quill.status', function() return answer ~= nil end)
  assert(not answer.err, vim.inspect(answer.err))
  return answer.result
end

local scenarios = {}

-- What the server tells the user (window/showMessage).
local notified = {}
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, params, ctx)
  notified[#notified + 1] = params.message
  return show_message(err, params, ctx)
end

-- The plugin with nothing configured but the command (the settings are all defaults).
function scenarios.defaults()
  vim.g.quill_cmd = server_cmd
  vim.lsp.enable('quill')
  local bufnr = open('notes.md')
  wait_client(bufnr)
  wait_flagged(bufnr, 'recieve')
  check('flagged', flagged(bufnr))
  check('status', status(bufnr))
  check('notified', notified)
end

-- Markdown through Neovim 0.11's vim.lsp.enable('quill') (lsp/quill.lua on 'runtimepath').
function scenarios.markdown()
  vim.lsp.config('quill', { cmd = server_cmd, settings = { quill = settings } })
  vim.lsp.enable('quill')
  local bufnr = open('notes.md')
  local client = wait_client(bufnr)
  check('root_dir', client.config.root_dir)
  wait_flagged(bufnr, 'recieve')
  wait_flagged(bufnr, 'zorblaxian')
  check('flagged', flagged(bufnr))

  -- A quick fix, as `gra` would apply it.
  local d = find_diagnostic(bufnr, 'recieve')
  local titles = apply_code_action(bufnr, d, "Change 'recieve' to 'receive'")
  wait_for('the quick fix to change the buffer', function()
    return vim.api.nvim_buf_get_lines(bufnr, 2, 3, false)[1] == 'We will receive the package tomorrow.'
  end)
  check('actions', titles)
  wait_for("the diagnostic on 'recieve' to go", function()
    return find_diagnostic(bufnr, 'recieve') == nil and find_diagnostic(bufnr, 'zorblaxian') ~= nil
  end)

  -- :QuillAddWord with the cursor on the flagged word.
  local z = find_diagnostic(bufnr, 'zorblaxian')
  vim.api.nvim_win_set_cursor(0, { z.lnum + 1, z.col + 2 })
  vim.cmd('QuillAddWord')
  wait_for("the diagnostic on 'zorblaxian' to go after :QuillAddWord", function()
    return find_diagnostic(bufnr, 'zorblaxian') == nil and find_diagnostic(bufnr, 'sentance') ~= nil
  end)
  local dict = workspace .. '/.quill/dictionary.txt'
  check('dictionary', table.concat(vim.fn.readfile(dict), '\n'))

  -- :QuillFixAll: the server sends workspace/applyEdit, Neovim applies it.
  vim.cmd('QuillFixAll')
  wait_for(':QuillFixAll to fix the buffer', function()
    return buffer_text(bufnr):find('Another sentence with a typo.', 1, true) ~= nil
  end)
  wait_for('no Quill diagnostics left', function() return #quill_diagnostics(bufnr) == 0 end)
  check('text', buffer_text(bufnr))

  local s = status(bufnr)
  check('status', s)
end

-- Python through require('quill').setup() (the Neovim 0.10 way), completion, :QuillRestart.
function scenarios.python()
  quill.setup({ cmd = server_cmd, settings = settings })
  local bufnr = open('inventory.py')
  local client = wait_client(bufnr)
  local d = wait_flagged(bufnr, 'quantitiy')
  wait_flagged(bufnr, 'Retrun')
  check('flagged', flagged(bufnr))
  local titles = apply_code_action(bufnr, d, "Change 'quantitiy' to 'quantity' (2 places)")
  check('actions', titles)
  wait_for('the quick fix to rename both places', function()
    local text = buffer_text(bufnr)
    return text:find('quantitiy', 1, true) == nil and select(2, text:gsub('total_quantity', '')) == 2
  end)
  wait_for("the diagnostic on 'quantitiy' to go", function()
    return find_diagnostic(bufnr, 'quantitiy') == nil and find_diagnostic(bufnr, 'Retrun') ~= nil
  end)

  local caps = client.server_capabilities
  check('completionProvider', caps.completionProvider ~= nil)
  check('inlineCompletionProvider', caps.inlineCompletionProvider ~= nil)
  if vim.env.QUILL_TEST_CODE_MODEL or vim.env.QUILL_TEST_COMPLETE then
    -- complete.py ends where the tiny code model (or the workspace) has something to say: ask for completion
    -- items at its end, as <C-x><C-o> (or 0.11's vim.lsp.completion) would.
    local cbuf = open('complete.py')
    wait_client(cbuf)
    -- plugin/quill.lua's LspAttach autocommand enabled completion for the buffer.
    wait_for('completion enabled on attach', function() return vim.b[cbuf].quill_completion ~= nil end)
    check('completion_mode', vim.b[cbuf].quill_completion)
    local last = vim.api.nvim_buf_line_count(cbuf)
    local line = vim.api.nvim_buf_get_lines(cbuf, last - 1, last, false)[1]
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(cbuf) },
      position = { line = last - 1, character = #line },
    }
    local responses = vim.lsp.buf_request_sync(cbuf, 'textDocument/completion', params, DEADLINE)
    assert(responses, 'no answer to textDocument/completion in time')
    local items = {}
    for _, response in pairs(responses) do
      assert(not response.err, vim.inspect(response.err))
      for _, item in ipairs(response.result and (response.result.items or response.result) or {}) do
        items[#items + 1] = { label = item.label, detail = item.detail,
          newText = item.textEdit and item.textEdit.newText or item.insertText }
      end
    end
    check('completion', items)
    -- And as a user gets them: <C-x><C-o> at the end of the line in insert mode (the
    -- omnifunc, vim.lsp.omnifunc, that Neovim sets on attach) opens the popup menu.
    vim.api.nvim_win_set_cursor(0, { last, #line })
    vim.api.nvim_feedkeys(vim.keycode('A<C-x><C-o>'), 'n', false)
    wait_in_main_loop('the completion menu', function()
      return #vim.fn.complete_info({ 'items' }).items > 0
    end)
    local menu = {}
    for _, item in ipairs(vim.fn.complete_info({ 'items' }).items) do
      local lsp_item = vim.tbl_get(item, 'user_data', 'nvim', 'lsp', 'completion_item') or {}
      menu[#menu + 1] = { word = item.word, abbr = item.abbr, detail = lsp_item.detail }
    end
    check('menu', menu)
    -- Pick the model's item (<C-n> until it is selected) and accept it with <C-y>: the line
    -- must then end with the whole suggestion, spaces and all.
    local want
    for k, item in ipairs(menu) do
      if item.detail == want_detail then want = k - 1 end
    end
    if want ~= nil then
      for _ = 1, #menu + 1 do
        if vim.fn.complete_info({ 'selected' }).selected == want then break end
        local before = vim.fn.complete_info({ 'selected' }).selected
        vim.api.nvim_feedkeys(vim.keycode('<C-n>'), 'n', false)
        wait_in_main_loop('the next menu item', function()
          return vim.fn.complete_info({ 'selected' }).selected ~= before
        end)
      end
      vim.api.nvim_feedkeys(vim.keycode('<C-y>'), 'n', false)
      wait_in_main_loop('the menu to close', function() return vim.fn.pumvisible() == 0 end)
      vim.wait(300) -- CompleteDone: Neovim expands a snippet item in place of the word
      check('accepted', vim.api.nvim_buf_get_lines(cbuf, last - 1, last, false)[1])
      check('line_before', line)
    end
    vim.api.nvim_feedkeys(vim.keycode('<C-e><Esc>'), 'n', false)
    wait_in_main_loop('normal mode', function() return vim.api.nvim_get_mode().mode == 'n' end)
    -- Back to the text as it was, for the inline request below (Neovim sends the change first).
    vim.api.nvim_buf_set_lines(cbuf, last - 1, last, false, { line })
    if caps.inlineCompletionProvider then
      -- 0.12's vim.lsp.inline_completion shows these; on 0.11 ask through the client as well.
      local inline = vim.lsp.buf_request_sync(cbuf, 'textDocument/inlineCompletion',
        vim.tbl_extend('force', params, { context = { triggerKind = 1 } }), DEADLINE)
      assert(inline, 'no answer to textDocument/inlineCompletion in time')
      local texts = {}
      for _, response in pairs(inline) do
        assert(not response.err, vim.inspect(response.err))
        for _, item in ipairs(response.result and (response.result.items or response.result) or {}) do
          texts[#texts + 1] = item.insertText
        end
      end
      check('inline', texts)
    end
    vim.cmd.buffer(bufnr)
  end

  -- :QuillRestart: a new server process, and diagnostics again.
  local old_id = client.id
  vim.cmd('QuillRestart')
  wait_for('a new Quill client after :QuillRestart', function()
    local c = quill.clients(bufnr)[1]
    return c ~= nil and c.id ~= old_id and c.initialized == true
  end)
  wait_flagged(bufnr, 'Retrun')
  check('restarted', true)
end

local runner = coroutine.create(function()
  return xpcall(function()
    local run = scenarios[scenario]
    assert(run, 'unknown scenario ' .. tostring(scenario))
    run()
  end, debug.traceback)
end)

--- Resume the scenario; when it has finished, report and quit.
resume = function()
  local alive, ok, err = coroutine.resume(runner)
  if not alive then
    finish(false, 'driver error: ' .. tostring(ok))
  elseif coroutine.status(runner) == 'dead' then
    finish(ok, not ok and tostring(err) or nil)
  end
end

vim.schedule(resume)
