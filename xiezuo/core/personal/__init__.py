"""Personal information (PIPL, 个人信息保护法): the one kit every app that keeps a person uses.

- `idnumbers`: the resident ID number of GB 11643 (check digit, birth date, region prefix);
- `masking`: how an ID number, a phone or a bank account is shown to whoever may not see it;
- `crypto`: encryption at rest (`EncryptedTextField`, Fernet keys outside the database, with
  rotation) and the keyed hash (`blind_index`) by which a number is found without decrypting
  any row;
- `access`: who may see a full value (`may_reveal`), and `reveal`, which checks, asks for the
  purpose and writes the `RevealLog` row that every unmasked view or export leaves.
"""
