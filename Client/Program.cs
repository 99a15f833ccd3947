Console.Error.WriteLine("The console client is not written yet.");
return 1;
