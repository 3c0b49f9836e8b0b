"""监督检查: complaints and requests (12345 hotline tickets, the director's mailbox, window
complaints) and inspections (明查暗访), each problem put right through 好差评's rectification
workflow (`feedback.workflow.RECTIFICATION`). Above `feedback` in the app order (decision 0054)."""
