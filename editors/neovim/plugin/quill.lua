-- Quill's user commands; they act on the Quill server attached to the current buffer.
if vim.g.loaded_quill then
  return
end
vim.g.loaded_quill = true

local function quill() return require('quill') end

-- Completion from the server's code model: inline where Neovim has it, items otherwise.
vim.api.nvim_create_autocmd('LspAttach', {
  group = vim.api.nvim_create_augroup('quill-attach', { clear = true }),
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'quill' then
      vim.b[args.buf].quill_completion = quill().enable_completion(client, args.buf, quill().options)
    end
  end,
})

vim.api.nvim_create_user_command('QuillAddWord', function(args)
  quill().add_word(args.args, args.bang and 'user' or 'workspace')
end, { nargs = '?', bang = true,
  desc = 'Quill: add a word (default: the flagged word under the cursor) to the workspace dictionary (! the user dictionary)' })

vim.api.nvim_create_user_command('QuillIgnoreWord', function(args)
  quill().ignore_word(args.args)
end, { nargs = '?', desc = 'Quill: ignore a word in this document' })

vim.api.nvim_create_user_command('QuillFixAll', function()
  quill().fix_all()
end, { desc = 'Quill: apply the first suggestion of every finding in this buffer' })

vim.api.nvim_create_user_command('QuillRestart', function()
  quill().restart()
end, { desc = 'Quill: restart the language server' })

vim.api.nvim_create_user_command('QuillStatus', function(opts)
  quill().status(nil, nil, opts.bang)
end, {
  bang = true,
  desc = "Quill: the server's status in a few lines (dictionaries, models and devices, what is off); ! for the whole table",
})
